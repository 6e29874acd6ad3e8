package org.duet.mixer.rtcp;

/**
 * Transport-wide congestion control feedback: RTPFB (PT 205) with FMT 15, as libwebrtc sends it
 * when {@code transport-cc} is negotiated (draft-holmer-rmcat-transport-wide-cc-extensions-01,
 * section 3.1). It says, for a run of transport-wide sequence numbers (stamped by the sender with
 * the header extension of section 2), which packets arrived and when.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=15 |    PT=205     |           length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     SSRC of packet sender                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      SSRC of media source                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      base sequence number     |      packet status count      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 reference time                | fb pkt. count |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          packet chunk         |         packet chunk          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         packet chunk          |  recv delta   |  recv delta   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                                                               .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           recv delta          |  recv delta   | zero padding  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * run length chunk           status vector chunk
 *  0                   1      0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |T| S |       run length        |  |T|S|       symbol list         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  T=0: one status S for            T=1: S=0 fourteen 1-bit symbols
 *  run length packets                    (0 not received, 1 small delta),
 *                                        S=1 seven 2-bit symbols
 * </pre>
 *
 * <p>Status symbols: 00 not received, 01 received with a small delta (one byte, unsigned), 10
 * received with a large or negative delta (two bytes, signed), 11 reserved (refused here). The
 * reference time is a signed 24-bit count of 64 ms; the first delta is from it, each next delta
 * from the previous arrival; deltas count 250 us. The packet status count covers the chunks
 * exactly (the last chunk may describe more, which is ignored).
 *
 * <p>{@link #parse} checks everything in one pass before {@link #emit} reports a single packet to
 * a {@link Sink}, so a malformed feedback reports nothing. Nothing is allocated: the parser is
 * reused per participant on the media loop.
 */
public final class TransportFeedback {

    /** The FMT of transport-wide feedback in an RTPFB packet. */
    public static final int FMT = 15;
    /** Arrival time unit of the deltas. */
    public static final long DELTA_MICROS = 250;
    /** Reference time unit. */
    public static final long REFERENCE_MICROS = 64_000;

    /** Why a feedback packet was refused. */
    public enum Problem {
        NONE, TOO_SHORT, NOT_TRANSPORT_FEEDBACK, NO_STATUS, EMPTY_RUN, CHUNKS_TRUNCATED, RESERVED_SYMBOL, DELTAS_TRUNCATED
    }

    /** Receives the packets a feedback describes, in sequence order. */
    public interface Sink {
        /**
         * @param sequence      transport-wide sequence number, 0..65535
         * @param received      whether it arrived
         * @param arrivalMicros its arrival on the receiver's clock (reference time based, microseconds), or
         *                      {@link Long#MIN_VALUE} when it did not arrive
         */
        void onPacket(int sequence, boolean received, long arrivalMicros);
    }

    private byte[] buf;
    private int off;
    private int baseSequence;
    private int statusCount;
    private int feedbackCount;
    private long referenceMicros;
    private long mediaSsrc;
    private int chunksEnd;
    private int received;

    /**
     * Checks one RTPFB packet (header included, padding excluded) and keeps it for {@link #emit}.
     * Allocation-free; reads only inside buf[off..off+len).
     */
    public Problem parse(byte[] b, int o, int l) {
        buf = null;
        if (l < 20) {
            return Problem.TOO_SHORT;
        }
        if ((b[o] & 0x1F) != FMT || (b[o + 1] & 0xFF) != RtcpParser.RTPFB) {
            return Problem.NOT_TRANSPORT_FEEDBACK;
        }
        int count = u16(b, o + 14);
        if (count == 0) {
            return Problem.NO_STATUS;
        }
        int end = o + l;
        // Pass 1: chunks, counting the delta bytes their symbols need.
        int p = o + 20;
        int described = 0;
        int deltaBytes = 0;
        int got = 0;
        while (described < count) {
            if (end - p < 2) {
                return Problem.CHUNKS_TRUNCATED;
            }
            int chunk = u16(b, p);
            p += 2;
            if ((chunk & 0x8000) == 0) {
                int symbol = (chunk >>> 13) & 3;
                int run = Math.min(chunk & 0x1FFF, count - described);
                if (symbol == 3) {
                    return Problem.RESERVED_SYMBOL;
                }
                if (run == 0) {
                    return Problem.EMPTY_RUN; // a run of nothing would describe nothing, for ever
                }
                if (symbol != 0) {
                    got += run;
                }
                deltaBytes += run * symbol; // 1: one byte, 2: two bytes
                described += run;
            } else if ((chunk & 0x4000) == 0) {
                for (int i = 0; i < 14 && described < count; i++, described++) {
                    int symbol = (chunk >>> (13 - i)) & 1;
                    got += symbol;
                    deltaBytes += symbol;
                }
            } else {
                for (int i = 0; i < 7 && described < count; i++, described++) {
                    int symbol = (chunk >>> (12 - 2 * i)) & 3;
                    if (symbol == 3) {
                        return Problem.RESERVED_SYMBOL;
                    }
                    if (symbol != 0) {
                        got++;
                    }
                    deltaBytes += symbol;
                }
            }
        }
        if (end - p < deltaBytes) {
            return Problem.DELTAS_TRUNCATED;
        }
        buf = b;
        off = o;
        mediaSsrc = u32(b, o + 8);
        baseSequence = u16(b, o + 12);
        statusCount = count;
        int ref = ((b[o + 16] & 0xFF) << 16) | ((b[o + 17] & 0xFF) << 8) | (b[o + 18] & 0xFF);
        referenceMicros = (long) ((ref << 8) >> 8) * REFERENCE_MICROS; // signed 24 bits
        feedbackCount = b[o + 19] & 0xFF;
        chunksEnd = p;
        received = got;
        return Problem.NONE;
    }

    /** Reports every packet of the last feedback {@link #parse} accepted, in order. */
    public void emit(Sink sink) {
        if (buf == null) {
            return;
        }
        byte[] b = buf;
        int p = off + 20;
        int d = chunksEnd;
        long arrival = referenceMicros;
        int described = 0;
        while (described < statusCount) {
            int chunk = u16(b, p);
            p += 2;
            if ((chunk & 0x8000) == 0) {
                int symbol = (chunk >>> 13) & 3;
                int run = Math.min(chunk & 0x1FFF, statusCount - described);
                for (int i = 0; i < run; i++) {
                    d = one(sink, symbol, (baseSequence + described++) & 0xFFFF, b, d, arrival);
                    arrival = lastArrival;
                }
            } else {
                boolean two = (chunk & 0x4000) != 0;
                int symbols = two ? 7 : 14;
                for (int i = 0; i < symbols && described < statusCount; i++) {
                    int symbol = two ? (chunk >>> (12 - 2 * i)) & 3 : (chunk >>> (13 - i)) & 1;
                    d = one(sink, symbol, (baseSequence + described++) & 0xFFFF, b, d, arrival);
                    arrival = lastArrival;
                }
            }
        }
    }

    private long lastArrival;

    private int one(Sink sink, int symbol, int seq, byte[] b, int d, long arrival) {
        lastArrival = arrival;
        if (symbol == 0) {
            sink.onPacket(seq, false, Long.MIN_VALUE);
            return d;
        }
        long delta;
        if (symbol == 1) {
            delta = b[d] & 0xFF;
            d += 1;
        } else {
            delta = (short) u16(b, d);
            d += 2;
        }
        lastArrival = arrival + delta * DELTA_MICROS;
        sink.onPacket(seq, true, lastArrival);
        return d;
    }

    public int baseSequence() {
        return baseSequence;
    }

    public int statusCount() {
        return statusCount;
    }

    /** Packets marked received in the last accepted feedback. */
    public int receivedCount() {
        return received;
    }

    public int feedbackCount() {
        return feedbackCount;
    }

    public long referenceMicros() {
        return referenceMicros;
    }

    public long mediaSsrc() {
        return mediaSsrc;
    }

    private static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    private static long u32(byte[] b, int p) {
        return ((long) u16(b, p) << 16) | u16(b, p + 2);
    }
}
