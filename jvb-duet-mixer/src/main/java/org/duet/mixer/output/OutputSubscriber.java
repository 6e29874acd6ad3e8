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
    int sequence;
    int forwardSeqOffset;
    long nextTimestamp;
    boolean started;
    /** The encoder settings this receiver should get (null: the output's default). */
    org.duet.mixer.opus.OpusSettings wanted;
    /** The encoder class it is in now. */
    EncodeLane lane;
    // transport-cc: the next transport-wide sequence number, and when each recent one left (null: not negotiated)
    private int transportSequence;
    private final long[] sentNanos;
    private final int[] sentSequence;

    /** Send times kept for transport-cc feedback: 2048 packets, 20 s of 10 ms packets. */
    public static final int SEND_HISTORY = 2048;

    public OutputSubscriber(PacketTransport transport, MediaFormat format) {
        this(transport, format, org.duet.mixer.rtp.RtpRandomness.perThread());
    }

    /** @param random draws the first sequence number (a simulation's seeded source, see RtpRandomness) */
    public OutputSubscriber(PacketTransport transport, MediaFormat format, java.util.random.RandomGenerator random) {
        this.sequence = random.nextInt(1 << 16);
        this.transport = transport;
        this.format = format;
        boolean tcc = format.transportCcExtensionId() != 0;
        this.sentNanos = tcc ? new long[SEND_HISTORY] : null;
        this.sentSequence = tcc ? new int[SEND_HISTORY] : null;
        if (tcc) {
            java.util.Arrays.fill(sentSequence, -1);
        }
    }

    /** Takes the next transport-wide sequence number for a packet leaving now (transport-cc only). */
    int nextTransportSequence(long nowNanos) {
        int seq = transportSequence;
        transportSequence = (seq + 1) & 0xFFFF;
        int slot = seq & (SEND_HISTORY - 1);
        sentNanos[slot] = nowNanos;
        sentSequence[slot] = seq;
        return seq;
    }

    /**
     * When the packet with transport-wide sequence {@code seq} left ({@link System#nanoTime()}), or
     * {@link Long#MIN_VALUE} when it is unknown (never sent, or too long ago). Media loop only.
     */
    public long sentNanos(int seq) {
        if (sentNanos == null) {
            return Long.MIN_VALUE;
        }
        int slot = seq & (SEND_HISTORY - 1);
        return sentSequence[slot] == seq ? sentNanos[slot] : Long.MIN_VALUE;
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
