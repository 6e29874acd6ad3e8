package org.duet.mixer.output;

import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.transport.PacketTransport;

/** One receiver of an output stream, with the payload type and header extensions it negotiated. */
public final class OutputSubscriber {

    final PacketTransport transport;
    final MediaFormat format;
    long packetsSent;
    long bytesSent;
    // Per receiver, so it can move between encoder classes (10 or 20 ms packets) and stay continuous.
    int sequence = java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 16);
    int forwardSeqOffset;
    long nextTimestamp;
    boolean started;
    /** The encoder settings this receiver should get (null: the output's default). */
    org.duet.mixer.opus.OpusSettings wanted;
    /** The encoder class it is in now. */
    EncodeLane lane;

    public OutputSubscriber(PacketTransport transport, MediaFormat format) {
        this.transport = transport;
        this.format = format;
    }

    public PacketTransport transport() {
        return transport;
    }

    public MediaFormat format() {
        return format;
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long bytesSent() {
        return bytesSent;
    }
}
