package org.duet.mixer.rtp;

/**
 * A reusable, mutable view over one RTP packet (RFC 3550) in a caller's byte array. It never copies:
 * {@link #parse} checks the structure once and records offsets; the accessors read the fields from the
 * buffer, so an in-place rewrite ({@link RtpWriter#rewrite}) is visible through the same view.
 *
 * <p>Header extensions in the one-byte (0xBEDE) and two-byte (0x100X) forms of RFC 8285 are validated
 * during parse and looked up by local id with {@link #extensionOffset}/{@link #extensionLength}. An
 * extension block with any other profile is skipped (its bytes are excluded from the payload) and has no
 * elements.
 *
 * <p>Nothing here allocates or throws for bad input: a malformed packet makes {@link #parse} return the
 * reason and leaves the view empty. One instance per thread.
 *
 * <p>The fixed header (RFC 3550 section 5.1), then CSRCs, then the extension block (5.3.1), the
 * payload and, when P is set, padding whose last byte counts the padding bytes:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                    (CC of them, 4 bytes each)                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   profile (0xBEDE, 0x100X)    |  length in 32-bit words       |  when X = 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  extension elements, 0-padded                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Elements of the one-byte form (RFC 8285 section 4.2; L = length - 1, id 15 ends the block, 0 bytes
 * are padding) and of the two-byte form (4.3; L = length, 0 allowed):
 * <pre>
 * one-byte:  |  ID   |   L   |  data (L+1 bytes) ...
 *            +-+-+-+-+-+-+-+-+
 * two-byte:  |      ID       |       L       |  data (L bytes) ...
 *            +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class RtpPacket {
    /** Fixed header length. */
    public static final int FIXED_HEADER_LENGTH = 12;
    /** Profile of the one-byte header extension form (RFC 8285 section 4.2). */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** Profile of the two-byte header extension form, low 4 bits are "appbits" (RFC 8285 section 4.3). */
    public static final int TWO_BYTE_PROFILE = 0x1000;

    private static final int EXT_NONE = 0;
    private static final int EXT_ONE_BYTE = 1;
    private static final int EXT_TWO_BYTE = 2;
    private static final int EXT_OTHER = 3;

    private byte[] buf;
    private int off;
    private int len;
    private boolean valid;
    private int headerLength;
    private int paddingLength;
    private int extKind;
    private int extProfile;
    private int extStart;
    private int extEnd;

    /**
     * Parses {@code len} bytes at {@code off} as an RTP packet.
     *
     * @return {@link RtpDropReason#NONE} when valid (the view then describes the packet), else why not
     */
    public RtpDropReason parse(byte[] b, int off, int len) {
        clear();
        if (b == null || off < 0 || len < 0 || off > b.length - len) {
            return RtpDropReason.BAD_BOUNDS;
        }
        if (len < FIXED_HEADER_LENGTH) {
            return RtpDropReason.TOO_SHORT;
        }
        int b0 = b[off] & 0xFF;
        if ((b0 >>> 6) != 2) {
            return RtpDropReason.BAD_VERSION;
        }
        int header = FIXED_HEADER_LENGTH + 4 * (b0 & 0x0F);
        if (header > len) {
            return RtpDropReason.BAD_CSRC;
        }
        int kind = EXT_NONE;
        int profile = 0;
        int start = 0;
        int end = 0;
        if ((b0 & 0x10) != 0) {
            if (header + 4 > len) {
                return RtpDropReason.BAD_EXTENSION;
            }
            profile = u16(b, off + header);
            int bytes = 4 * u16(b, off + header + 2);
            if (bytes > len - header - 4) {
                return RtpDropReason.BAD_EXTENSION;
            }
            start = off + header + 4;
            end = start + bytes;
            header += 4 + bytes;
            if (profile == ONE_BYTE_PROFILE) {
                kind = EXT_ONE_BYTE;
            } else if ((profile & 0xFFF0) == TWO_BYTE_PROFILE) {
                kind = EXT_TWO_BYTE;
            } else {
                kind = EXT_OTHER;
            }
            if (!elementsWellFormed(b, kind, start, end)) {
                return RtpDropReason.BAD_EXTENSION_ELEMENT;
            }
        }
        int padding = 0;
        if ((b0 & 0x20) != 0) {
            padding = b[off + len - 1] & 0xFF;
            // The count includes itself (RFC 3550 5.1), so 0 is invalid; it may not eat into the header.
            if (padding == 0 || padding > len - header) {
                return RtpDropReason.BAD_PADDING;
            }
        }
        this.buf = b;
        this.off = off;
        this.len = len;
        this.headerLength = header;
        this.paddingLength = padding;
        this.extKind = kind;
        this.extProfile = profile;
        this.extStart = start;
        this.extEnd = end;
        this.valid = true;
        return RtpDropReason.NONE;
    }

    /** Forgets the current packet (the view no longer references the buffer). */
    public void clear() {
        buf = null;
        off = 0;
        len = 0;
        valid = false;
        headerLength = 0;
        paddingLength = 0;
        extKind = EXT_NONE;
        extProfile = 0;
        extStart = 0;
        extEnd = 0;
    }

    /** True after a successful {@link #parse}; the other accessors are meaningful only then. */
    public boolean isValid() {
        return valid;
    }

    public byte[] buffer() {
        return buf;
    }

    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    public int version() {
        return valid ? (buf[off] & 0xFF) >>> 6 : 0;
    }

    public boolean hasPadding() {
        return valid && (buf[off] & 0x20) != 0;
    }

    /** Padding bytes at the end, including the count byte itself; 0 without padding. */
    public int paddingLength() {
        return paddingLength;
    }

    public boolean hasExtensions() {
        return valid && (buf[off] & 0x10) != 0;
    }

    public int csrcCount() {
        return valid ? buf[off] & 0x0F : 0;
    }

    public boolean marker() {
        return valid && (buf[off + 1] & 0x80) != 0;
    }

    public int payloadType() {
        return valid ? buf[off + 1] & 0x7F : -1;
    }

    /** 0..65535. */
    public int sequenceNumber() {
        return valid ? u16(buf, off + 2) : -1;
    }

    /** 0..2^32-1. */
    public long timestamp() {
        return valid ? u32(buf, off + 4) : -1;
    }

    /** 0..2^32-1. */
    public long ssrc() {
        return valid ? u32(buf, off + 8) : -1;
    }

    /** The i-th contributing source, or -1 if there is no such entry. */
    public long csrc(int i) {
        if (!valid || i < 0 || i >= csrcCount()) {
            return -1;
        }
        return u32(buf, off + FIXED_HEADER_LENGTH + 4 * i);
    }

    /** Fixed header + CSRC list + extension block, in bytes. */
    public int headerLength() {
        return headerLength;
    }

    /** Absolute index of the first payload byte in {@link #buffer()}. */
    public int payloadOffset() {
        return off + headerLength;
    }

    /** Payload bytes, padding excluded. */
    public int payloadLength() {
        return len - headerLength - paddingLength;
    }

    /** The 16-bit "defined by profile" field of the extension block, or -1 without one. */
    public int extensionProfile() {
        return valid && extKind != EXT_NONE ? extProfile : -1;
    }

    /** True when the extension block uses the RFC 8285 one-byte form. */
    public boolean hasOneByteExtensions() {
        return extKind == EXT_ONE_BYTE;
    }

    /** True when the extension block uses the RFC 8285 two-byte form. */
    public boolean hasTwoByteExtensions() {
        return extKind == EXT_TWO_BYTE;
    }

    /** Absolute index of the data of the first element with local id {@code id}, or -1 if absent. */
    public int extensionOffset(int id) {
        long found = find(id);
        return found < 0 ? -1 : (int) (found >>> 16);
    }

    /** Data length of the first element with local id {@code id}, or -1 if absent. */
    public int extensionLength(int id) {
        long found = find(id);
        return found < 0 ? -1 : (int) (found & 0xFFFF);
    }

    /** Finds element {@code id}: (offset << 16 | length), or -1. The block was validated by parse. */
    private long find(int id) {
        if (id <= 0 || id > 255) {
            return -1;
        }
        byte[] b = buf;
        int p = extStart;
        int end = extEnd;
        if (extKind == EXT_ONE_BYTE) {
            while (p < end) {
                int h = b[p] & 0xFF;
                int elementId = h >>> 4;
                if (elementId == 0) {
                    p++;
                    continue;
                }
                if (elementId == 15) {
                    return -1;
                }
                int length = (h & 0x0F) + 1;
                if (elementId == id) {
                    return ((long) (p + 1) << 16) | length;
                }
                p += 1 + length;
            }
        } else if (extKind == EXT_TWO_BYTE) {
            while (p < end) {
                int elementId = b[p] & 0xFF;
                if (elementId == 0) {
                    p++;
                    continue;
                }
                int length = b[p + 1] & 0xFF;
                if (elementId == id) {
                    return ((long) (p + 2) << 16) | length;
                }
                p += 2 + length;
            }
        }
        return -1;
    }

    private static boolean elementsWellFormed(byte[] b, int kind, int p, int end) {
        if (kind == EXT_ONE_BYTE) {
            while (p < end) {
                int h = b[p] & 0xFF;
                int id = h >>> 4;
                if (id == 0) {
                    p++; // padding byte (RFC 8285 4.2), its length nibble is ignored
                    continue;
                }
                if (id == 15) {
                    return true; // reserved: stop processing here, elements before it still count
                }
                int length = (h & 0x0F) + 1;
                if (length > end - p - 1) {
                    return false;
                }
                p += 1 + length;
            }
        } else if (kind == EXT_TWO_BYTE) {
            while (p < end) {
                if (b[p] == 0) {
                    p++;
                    continue;
                }
                if (end - p < 2) {
                    return false;
                }
                int length = b[p + 1] & 0xFF;
                if (length > end - p - 2) {
                    return false;
                }
                p += 2 + length;
            }
        }
        return true;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    @Override
    public String toString() {
        if (!valid) {
            return "RtpPacket{invalid}";
        }
        return "RtpPacket{pt=" + payloadType() + " seq=" + sequenceNumber() + " ts=" + timestamp() + " ssrc=" + ssrc()
                + " m=" + marker() + " payload=" + payloadLength() + "}";
    }
}
