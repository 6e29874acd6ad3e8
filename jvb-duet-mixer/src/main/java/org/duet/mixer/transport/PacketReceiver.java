package org.duet.mixer.transport;

/**
 * Receives plaintext packets from a {@link PacketTransport}. Called on the transport's thread;
 * implementations copy the bytes (into a pooled buffer) before returning, because the
 * transport reuses {@code buf}.
 */
public interface PacketReceiver {

    /**
     * @param isRtcp       true when the packet is RTCP (RFC 5761 demultiplexing already done)
     * @param arrivalNanos {@link System#nanoTime()} when the datagram was read from the socket
     */
    void onPacket(byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos);
}
