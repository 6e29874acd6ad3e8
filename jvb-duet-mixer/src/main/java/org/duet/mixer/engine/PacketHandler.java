package org.duet.mixer.engine;

/** Whoever consumes received packets on the media loop thread (a participant's media state). */
public interface PacketHandler {

    /** Called on the media loop thread; {@code buf} is valid only during the call. */
    void handlePacket(byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos);
}
