package org.duet.mixer.rtcp;

/**
 * Writes RTCP packets (RFC 3550 section 6) one after another into a caller's buffer to build a compound
 * packet: each method writes at {@code off} and returns the bytes written (or -1 if they do not fit), so
 * the caller appends the next packet at {@code off + result}.
 *
 * <p>An instance holds up to 31 staged report blocks ({@link #addReportBlock}) that the next
 * {@link #writeSenderReport}/{@link #writeReceiverReport} includes; they stay staged until
 * {@link #clearReportBlocks()}. No allocation after construction; one instance per thread.
 *
 * <p>The packet layouts (SR, RR, report block, SDES, BYE) are drawn in {@link RtcpParser}'s comment.
 */
public final class RtcpWriter {
    public static final int MAX_REPORT_BLOCKS = 31;
    private static final int REPORT_BLOCK_LENGTH = 24;

    private final long[] blockSsrc = new long[MAX_REPORT_BLOCKS];
    private final int[] blockFractionLost = new int[MAX_REPORT_BLOCKS];
    private final int[] blockCumulativeLost = new int[MAX_REPORT_BLOCKS];
    private final long[] blockExtendedHighestSeq = new long[MAX_REPORT_BLOCKS];
    private final long[] blockJitter = new long[MAX_REPORT_BLOCKS];
    private final long[] blockLastSr = new long[MAX_REPORT_BLOCKS];
    private final long[] blockDelaySinceLastSr = new long[MAX_REPORT_BLOCKS];
    private int blocks;

    public RtcpWriter clearReportBlocks() {
        blocks = 0;
        return this;
    }

    public int reportBlockCount() {
        return blocks;
    }

    /**
     * Stages one report block (fields as in {@link RtcpListener#onReportBlock}; cumulativeLost is clamped to
     * the signed 24-bit range).
     *
     * @return false if 31 blocks are already staged (the block is not added)
     */
    public boolean addReportBlock(long sourceSsrc, int fractionLost, int cumulativeLost, long extendedHighestSeq,
                                  long jitter, long lastSr, long delaySinceLastSr) {
        if (blocks == MAX_REPORT_BLOCKS) {
            return false;
        }
        blockSsrc[blocks] = sourceSsrc;
        blockFractionLost[blocks] = fractionLost & 0xFF;
        blockCumulativeLost[blocks] = Math.max(-0x800000, Math.min(0x7FFFFF, cumulativeLost));
        blockExtendedHighestSeq[blocks] = extendedHighestSeq;
        blockJitter[blocks] = jitter;
        blockLastSr[blocks] = lastSr;
        blockDelaySinceLastSr[blocks] = delaySinceLastSr;
        blocks++;
        return true;
    }

    /** Bytes the next SR will take. */
    public int senderReportLength() {
        return 28 + REPORT_BLOCK_LENGTH * blocks;
    }

    /** Bytes the next RR will take. */
    public int receiverReportLength() {
        return 8 + REPORT_BLOCK_LENGTH * blocks;
    }

    /** Writes an SR with the staged report blocks; returns its length or -1. */
    public int writeSenderReport(byte[] buf, int off, long ssrc, long ntpTimestamp, long rtpTimestamp,
                                 long packetCount, long octetCount) {
        int length = senderReportLength();
        if (!fits(buf, off, length)) {
            return -1;
        }
        header(buf, off, blocks, RtcpParser.SR, length);
        putU32(buf, off + 4, ssrc);
        putU32(buf, off + 8, ntpTimestamp >>> 32);
        putU32(buf, off + 12, ntpTimestamp);
        putU32(buf, off + 16, rtpTimestamp);
        putU32(buf, off + 20, packetCount);
        putU32(buf, off + 24, octetCount);
        writeBlocks(buf, off + 28);
        return length;
    }

    /** Writes an RR with the staged report blocks (none is valid: an empty RR); returns its length or -1. */
    public int writeReceiverReport(byte[] buf, int off, long ssrc) {
        int length = receiverReportLength();
        if (!fits(buf, off, length)) {
            return -1;
        }
        header(buf, off, blocks, RtcpParser.RR, length);
        putU32(buf, off + 4, ssrc);
        writeBlocks(buf, off + 8);
        return length;
    }

    private void writeBlocks(byte[] buf, int q) {
        for (int i = 0; i < blocks; i++, q += REPORT_BLOCK_LENGTH) {
            putU32(buf, q, blockSsrc[i]);
            int lost = blockCumulativeLost[i];
            buf[q + 4] = (byte) blockFractionLost[i];
            buf[q + 5] = (byte) (lost >> 16);
            buf[q + 6] = (byte) (lost >> 8);
            buf[q + 7] = (byte) lost;
            putU32(buf, q + 8, blockExtendedHighestSeq[i]);
            putU32(buf, q + 12, blockJitter[i]);
            putU32(buf, q + 16, blockLastSr[i]);
            putU32(buf, q + 20, blockDelaySinceLastSr[i]);
        }
    }

    /** Bytes an SDES with one CNAME chunk takes. */
    public static int sdesCnameLength(int cnameLength) {
        // header + SSRC + type + length + text + at least one null octet, padded to 32 bits
        return 8 + ((2 + cnameLength + 1 + 3) & ~3);
    }

    /** Writes an SDES with one chunk holding a CNAME item (0..255 bytes of UTF-8); returns its length or -1. */
    public static int writeSdesCname(byte[] buf, int off, long ssrc, byte[] cname, int cnameOff, int cnameLength) {
        if (cnameLength < 0 || cnameLength > 255) {
            return -1;
        }
        int length = sdesCnameLength(cnameLength);
        if (!fits(buf, off, length)) {
            return -1;
        }
        header(buf, off, 1, RtcpParser.SDES, length);
        putU32(buf, off + 4, ssrc);
        buf[off + 8] = (byte) RtcpParser.SDES_CNAME;
        buf[off + 9] = (byte) cnameLength;
        System.arraycopy(cname, cnameOff, buf, off + 10, cnameLength);
        for (int p = off + 10 + cnameLength; p < off + length; p++) {
            buf[p] = 0;
        }
        return length;
    }

    /** Writes a BYE for one source; returns 8 or -1. */
    public static int writeBye(byte[] buf, int off, long ssrc) {
        if (!fits(buf, off, 8)) {
            return -1;
        }
        header(buf, off, 1, RtcpParser.BYE, 8);
        putU32(buf, off + 4, ssrc);
        return 8;
    }

    /**
     * Writes a BYE for {@code ssrcs[0..count)} (at most 31) with an optional reason (reasonLength 0 for none,
     * at most 255 bytes); returns its length or -1.
     */
    public static int writeBye(byte[] buf, int off, long[] ssrcs, int count, byte[] reason, int reasonOff,
                               int reasonLength) {
        if (count < 0 || count > 31 || reasonLength < 0 || reasonLength > 255) {
            return -1;
        }
        int length = 4 + 4 * count + (reasonLength == 0 ? 0 : (1 + reasonLength + 3) & ~3);
        if (!fits(buf, off, length)) {
            return -1;
        }
        header(buf, off, count, RtcpParser.BYE, length);
        for (int i = 0; i < count; i++) {
            putU32(buf, off + 4 + 4 * i, ssrcs[i]);
        }
        if (reasonLength > 0) {
            int q = off + 4 + 4 * count;
            buf[q] = (byte) reasonLength;
            System.arraycopy(reason, reasonOff, buf, q + 1, reasonLength);
            for (int p = q + 1 + reasonLength; p < off + length; p++) {
                buf[p] = 0;
            }
        }
        return length;
    }

    /**
     * Pads the last packet of a compound (at {@code packetOff}, {@code packetLength} bytes, ending at the end
     * of the compound) by {@code padding} bytes, a multiple of 4 in 4..252, setting its P bit and length.
     *
     * @return the new length of that packet, or -1
     */
    public static int appendPadding(byte[] buf, int packetOff, int packetLength, int padding) {
        if (padding < 4 || padding > 252 || (padding & 3) != 0 || !fits(buf, packetOff, packetLength + padding)) {
            return -1;
        }
        int end = packetOff + packetLength + padding;
        for (int p = packetOff + packetLength; p < end - 1; p++) {
            buf[p] = 0;
        }
        buf[end - 1] = (byte) padding;
        buf[packetOff] |= 0x20;
        int words = (packetLength + padding) / 4 - 1;
        buf[packetOff + 2] = (byte) (words >>> 8);
        buf[packetOff + 3] = (byte) words;
        return packetLength + padding;
    }

    private static boolean fits(byte[] buf, int off, int length) {
        return buf != null && off >= 0 && off <= buf.length - length;
    }

    private static void header(byte[] buf, int off, int count, int type, int length) {
        buf[off] = (byte) (0x80 | count);
        buf[off + 1] = (byte) type;
        int words = length / 4 - 1;
        buf[off + 2] = (byte) (words >>> 8);
        buf[off + 3] = (byte) words;
    }

    private static void putU32(byte[] b, int i, long v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
