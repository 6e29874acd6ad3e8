package org.duet.mixer.output;

import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.transport.PacketTransport;

/** One receiver of an output stream, with the payload type and header extensions it negotiated. */
public final class OutputSubscriber {

    final PacketTransport transport;
    final MediaFormat format;
    long packetsSent;
    long bytesSent;

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
