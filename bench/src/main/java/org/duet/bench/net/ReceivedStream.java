package org.duet.bench.net;

import java.util.Arrays;

/**
 * What one endpoint received: per RTP packet its arrival time, sequence number, unwrapped RTP
 * timestamp and (when recording audio) a copy of the payload. Written by the receive thread only;
 * read after that thread has been joined. Capacity is fixed up front so recording never grows
 * and allocates nothing while packets flow (a GC pause in the bench would look like server jitter).
 */
public final class ReceivedStream {

    private final long[] arrivalNanos;
    private final long[] timestamp;
    private final int[] seq;
    /** Payloads back to back in one preallocated arena, so recording allocates nothing per packet. */
    private final byte[] arena;
    private final int[] payloadOff;
    private final int[] payloadLen;
    private int arenaUsed;
    private final boolean keepPayload;
    private int count;
    private long overflow;
    private long rtcpPackets;
    private long lastTs32 = -1;
    private long tsUnwrapped;
    private long ssrc = -1;

    public ReceivedStream(int capacity, boolean keepPayload) {
        this.arrivalNanos = new long[capacity];
        this.timestamp = new long[capacity];
        this.seq = new int[capacity];
        this.arena = keepPayload ? new byte[capacity * 320] : null;
        this.payloadOff = keepPayload ? new int[capacity] : null;
        this.payloadLen = keepPayload ? new int[capacity] : null;
        this.keepPayload = keepPayload;
    }

    /** Records one RTP packet (header at buf[off]); malformed ones are ignored and not counted. */
    void onRtp(byte[] buf, int off, int len, long arrival) {
        if (len < 12 || (buf[off] & 0xC0) != 0x80) {
            return;
        }
        if (count == arrivalNanos.length) {
            overflow++;
            return;
        }
        int cc = buf[off] & 0x0F;
        int header = 12 + 4 * cc;
        boolean extension = (buf[off] & 0x10) != 0;
        if (extension) {
            if (len < header + 4) {
                return;
            }
            int words = ((buf[off + header + 2] & 0xFF) << 8) | (buf[off + header + 3] & 0xFF);
            header += 4 + 4 * words;
        }
        int padding = (buf[off] & 0x20) != 0 ? buf[off + len - 1] & 0xFF : 0;
        int payloadLen = len - header - padding;
        if (payloadLen < 0) {
            return;
        }
        long packetSsrc = readU32(buf, off + 8);
        long ts32 = readU32(buf, off + 4);
        if (ssrc != packetSsrc) {
            // a new source (first packet, or the server restarted its stream): continue from here
            ssrc = packetSsrc;
            lastTs32 = -1;
        }
        if (lastTs32 < 0) {
            tsUnwrapped = count == 0 ? ts32 : tsUnwrapped + 960;
        } else {
            long delta = (int) (ts32 - lastTs32); // signed 32-bit difference handles wrap
            tsUnwrapped += delta;
        }
        lastTs32 = ts32;
        arrivalNanos[count] = arrival;
        timestamp[count] = tsUnwrapped;
        seq[count] = ((buf[off + 2] & 0xFF) << 8) | (buf[off + 3] & 0xFF);
        if (keepPayload) {
            if (arenaUsed + payloadLen > arena.length) {
                overflow++;
                return;
            }
            System.arraycopy(buf, off + header, arena, arenaUsed, payloadLen);
            payloadOff[count] = arenaUsed;
            this.payloadLen[count] = payloadLen;
            arenaUsed += payloadLen;
        }
        count++;
    }

    void onRtcp() {
        rtcpPackets++;
    }

    private static long readU32(byte[] b, int o) {
        return ((b[o] & 0xFFL) << 24) | ((b[o + 1] & 0xFFL) << 16) | ((b[o + 2] & 0xFFL) << 8) | (b[o + 3] & 0xFFL);
    }

    public int count() {
        return count;
    }

    public long arrivalNanos(int i) {
        return arrivalNanos[i];
    }

    public long timestamp(int i) {
        return timestamp[i];
    }

    public int seq(int i) {
        return seq[i];
    }

    /** A copy of packet i's payload (for analysis after the run), or null if not recorded. */
    public byte[] payload(int i) {
        return keepPayload ? Arrays.copyOfRange(arena, payloadOff[i], payloadOff[i] + payloadLen[i]) : null;
    }

    public boolean hasPayloads() {
        return keepPayload;
    }

    public long overflow() {
        return overflow;
    }

    public long rtcpPackets() {
        return rtcpPackets;
    }
}
