package org.duet.mixer.rtp;

/**
 * Writes RTP headers (RFC 3550) with optional RFC 8285 header extensions into a caller's buffer, and
 * rewrites header fields in place for forwarding.
 *
 * <p>An instance is a reusable header template: set the fields, stage extension elements, then
 * {@link #write} returns the header length so the caller writes the payload right after it. Staged
 * elements stay until {@link #clearExtensions()} or {@link #reset()}, so a per-output writer only changes
 * sequence number, timestamp and extension values per packet. The one-byte form (0xBEDE) is used when
 * every element fits it (id 1..14, 1..16 bytes), else the two-byte form (0x1000). No allocation after
 * construction; one instance per thread.
 */
public final class RtpWriter {
    /** At most this many staged extension elements. */
    public static final int MAX_EXTENSION_ELEMENTS = 16;
    private static final int MAX_CSRCS = 15;

    private boolean marker;
    private int payloadType;
    private int sequenceNumber;
    private long timestamp;
    private long ssrc;
    private final long[] csrcs = new long[MAX_CSRCS];
    private int csrcCount;

    private final int[] extIds = new int[MAX_EXTENSION_ELEMENTS];
    private final int[] extLengths = new int[MAX_EXTENSION_ELEMENTS];
    private final byte[] extData = new byte[MAX_EXTENSION_ELEMENTS * 255];
    private int extCount;
    private boolean forceTwoByte;

    /** Clears every field, CSRC and extension element. */
    public RtpWriter reset() {
        marker = false;
        payloadType = 0;
        sequenceNumber = 0;
        timestamp = 0;
        ssrc = 0;
        csrcCount = 0;
        forceTwoByte = false;
        return clearExtensions();
    }

    public RtpWriter clearExtensions() {
        extCount = 0;
        return this;
    }

    public RtpWriter marker(boolean marker) {
        this.marker = marker;
        return this;
    }

    /** 0..127. */
    public RtpWriter payloadType(int payloadType) {
        this.payloadType = payloadType & 0x7F;
        return this;
    }

    /** Low 16 bits are used. */
    public RtpWriter sequenceNumber(int sequenceNumber) {
        this.sequenceNumber = sequenceNumber & 0xFFFF;
        return this;
    }

    /** Low 32 bits are used. */
    public RtpWriter timestamp(long timestamp) {
        this.timestamp = timestamp & 0xFFFFFFFFL;
        return this;
    }

    /** Low 32 bits are used. */
    public RtpWriter ssrc(long ssrc) {
        this.ssrc = ssrc & 0xFFFFFFFFL;
        return this;
    }

    /** Adds a contributing source (at most 15). */
    public RtpWriter addCsrc(long csrc) {
        if (csrcCount == MAX_CSRCS) {
            throw new IllegalStateException("at most 15 CSRCs");
        }
        csrcs[csrcCount++] = csrc & 0xFFFFFFFFL;
        return this;
    }

    public RtpWriter clearCsrcs() {
        csrcCount = 0;
        return this;
    }

    /** Always use the two-byte form, even when the one-byte form would fit. */
    public RtpWriter forceTwoByteExtensions(boolean force) {
        this.forceTwoByte = force;
        return this;
    }

    /**
     * Stages an extension element (id 1..255, 0..255 bytes), copied from {@code data} now.
     *
     * @throws IllegalArgumentException for an id or length no RFC 8285 form can carry (a configuration bug)
     */
    public RtpWriter addExtension(int id, byte[] data, int off, int len) {
        int slot = stage(id, len);
        System.arraycopy(data, off, extData, slot * 255, len);
        return this;
    }

    /** Stages an RFC 6464 audio level element: level 0..127 (-dBov), voice activity flag. */
    public RtpWriter addAudioLevel(int id, boolean voice, int level) {
        int slot = stage(id, AudioLevelExtension.LENGTH);
        AudioLevelExtension.write(extData, slot * 255, voice, level);
        return this;
    }

    /**
     * Stages a transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01
     * section 2: two bytes, big-endian), numbered per transport across all its streams.
     */
    public RtpWriter addTransportSequence(int id, int sequence) {
        int slot = stage(id, 2);
        extData[slot * 255] = (byte) (sequence >>> 8);
        extData[slot * 255 + 1] = (byte) sequence;
        return this;
    }

    /** Stages an abs-capture-time element with only the UQ32.32 NTP capture timestamp (8 bytes). */
    public RtpWriter addAbsCaptureTime(int id, long captureNtp) {
        int slot = stage(id, AbsCaptureTimeExtension.SHORT_LENGTH);
        AbsCaptureTimeExtension.write(extData, slot * 255, captureNtp);
        return this;
    }

    /** Stages an abs-capture-time element with capture timestamp and Q32.32 clock offset (16 bytes). */
    public RtpWriter addAbsCaptureTime(int id, long captureNtp, long estimatedClockOffsetQ32) {
        int slot = stage(id, AbsCaptureTimeExtension.LONG_LENGTH);
        AbsCaptureTimeExtension.write(extData, slot * 255, captureNtp, estimatedClockOffsetQ32);
        return this;
    }

    private int stage(int id, int len) {
        if (id < 1 || id > 255 || len < 0 || len > 255) {
            throw new IllegalArgumentException("extension id " + id + " length " + len);
        }
        if (extCount == MAX_EXTENSION_ELEMENTS) {
            throw new IllegalStateException("too many extension elements");
        }
        extIds[extCount] = id;
        extLengths[extCount] = len;
        return extCount++;
    }

    private boolean useOneByteForm() {
        if (forceTwoByte) {
            return false;
        }
        for (int i = 0; i < extCount; i++) {
            if (extIds[i] > 14 || extLengths[i] < 1 || extLengths[i] > 16) {
                return false;
            }
        }
        return true;
    }

    /** Bytes {@link #write} will produce. */
    public int headerLength() {
        return RtpPacket.FIXED_HEADER_LENGTH + 4 * csrcCount + extensionBlockLength(useOneByteForm());
    }

    private int extensionBlockLength(boolean oneByte) {
        if (extCount == 0) {
            return 0;
        }
        int bytes = 0;
        for (int i = 0; i < extCount; i++) {
            bytes += (oneByte ? 1 : 2) + extLengths[i];
        }
        return 4 + ((bytes + 3) & ~3);
    }

    /**
     * Writes the header at {@code off}.
     *
     * @return header length (the payload goes at {@code off + result}), or -1 if it does not fit
     */
    public int write(byte[] buf, int off) {
        boolean oneByte = useOneByteForm();
        int total = RtpPacket.FIXED_HEADER_LENGTH + 4 * csrcCount + extensionBlockLength(oneByte);
        if (buf == null || off < 0 || off > buf.length - total) {
            return -1;
        }
        writeFixedHeader(buf, off, marker, payloadType, sequenceNumber, timestamp, ssrc);
        buf[off] |= (byte) csrcCount;
        int p = off + RtpPacket.FIXED_HEADER_LENGTH;
        for (int i = 0; i < csrcCount; i++) {
            putU32(buf, p, csrcs[i]);
            p += 4;
        }
        if (extCount > 0) {
            buf[off] |= 0x10;
            int blockLength = total - (p - off) - 4;
            putU16(buf, p, oneByte ? RtpPacket.ONE_BYTE_PROFILE : RtpPacket.TWO_BYTE_PROFILE);
            putU16(buf, p + 2, blockLength / 4);
            p += 4;
            int end = p + blockLength;
            for (int i = 0; i < extCount; i++) {
                int length = extLengths[i];
                if (oneByte) {
                    buf[p++] = (byte) ((extIds[i] << 4) | (length - 1));
                } else {
                    buf[p++] = (byte) extIds[i];
                    buf[p++] = (byte) length;
                }
                System.arraycopy(extData, i * 255, buf, p, length);
                p += length;
            }
            while (p < end) {
                buf[p++] = 0; // padding to a 32-bit boundary
            }
        }
        return total;
    }

    /** Writes the 12-byte fixed header (version 2, no padding, extension or CSRC); returns 12 or -1. */
    public static int writeFixedHeader(byte[] buf, int off, boolean marker, int payloadType, int sequenceNumber,
                                       long timestamp, long ssrc) {
        if (buf == null || off < 0 || off > buf.length - RtpPacket.FIXED_HEADER_LENGTH) {
            return -1;
        }
        buf[off] = (byte) 0x80;
        buf[off + 1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        putU16(buf, off + 2, sequenceNumber);
        putU32(buf, off + 4, timestamp);
        putU32(buf, off + 8, ssrc);
        return RtpPacket.FIXED_HEADER_LENGTH;
    }

    /**
     * Rewrites SSRC, sequence number, timestamp and payload type of the packet at {@code off} in place,
     * keeping the marker bit and everything else (forwarding). The caller has parsed the packet, so the
     * fixed header is known to be there.
     */
    public static void rewrite(byte[] buf, int off, long ssrc, int sequenceNumber, long timestamp, int payloadType) {
        setPayloadType(buf, off, payloadType);
        setSequenceNumber(buf, off, sequenceNumber);
        setTimestamp(buf, off, timestamp);
        setSsrc(buf, off, ssrc);
    }

    public static void setPayloadType(byte[] buf, int off, int payloadType) {
        buf[off + 1] = (byte) ((buf[off + 1] & 0x80) | (payloadType & 0x7F));
    }

    public static void setMarker(byte[] buf, int off, boolean marker) {
        buf[off + 1] = (byte) ((buf[off + 1] & 0x7F) | (marker ? 0x80 : 0));
    }

    public static void setSequenceNumber(byte[] buf, int off, int sequenceNumber) {
        putU16(buf, off + 2, sequenceNumber);
    }

    public static void setTimestamp(byte[] buf, int off, long timestamp) {
        putU32(buf, off + 4, timestamp);
    }

    public static void setSsrc(byte[] buf, int off, long ssrc) {
        putU32(buf, off + 8, ssrc);
    }

    /**
     * Appends RFC 3550 padding to the packet of {@code len} bytes at {@code off} (zeros, then the count)
     * and sets the P bit. The packet must not already be padded.
     *
     * @param padding 1..255 bytes, including the count byte
     * @return the new packet length, or -1 if the padding does not fit or is out of range
     */
    public static int addPadding(byte[] buf, int off, int len, int padding) {
        if (padding < 1 || padding > 255 || buf == null || off < 0 || len < RtpPacket.FIXED_HEADER_LENGTH
                || off + len > buf.length - padding) {
            return -1;
        }
        int end = off + len + padding;
        for (int p = off + len; p < end - 1; p++) {
            buf[p] = 0;
        }
        buf[end - 1] = (byte) padding;
        buf[off] |= 0x20;
        return len + padding;
    }

    static void putU16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void putU32(byte[] b, int i, long v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    static void putU64(byte[] b, int i, long v) {
        putU32(b, i, v >>> 32);
        putU32(b, i + 4, v);
    }
}
