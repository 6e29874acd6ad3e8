package org.duet.mixer.opus;

/**
 * Allocation-free reading of an Opus packet's framing (RFC 6716 section 3): the TOC byte, the
 * frame count code and, for validation, the frame lengths. Every method is static and works on
 * {@code (buf, off, len)} so RTP payloads are read in place.
 */
public final class OpusPacketInfo {

    /** Coding mode from the TOC configuration number (RFC 6716 section 3.1, table 2). */
    public enum Mode { SILK, HYBRID, CELT }

    /** Audio bandwidth from the TOC configuration number. */
    public enum Bandwidth { NARROWBAND, MEDIUMBAND, WIDEBAND, SUPERWIDEBAND, FULLBAND }

    /** Largest frame a packet may hold (RFC 6716 section 3.2.1, R2). */
    public static final int MAX_FRAME_BYTES = 1275;
    /** A packet never carries more than 120 ms of audio (R5). */
    public static final int MAX_PACKET_SAMPLES = 5760;

    private static final Mode[] MODES = Mode.values();
    private static final Bandwidth[] BANDWIDTHS = Bandwidth.values();

    private OpusPacketInfo() {
    }

    public static Mode mode(byte toc) {
        int config = (toc & 0xFF) >> 3;
        if (config < 12) {
            return MODES[0];
        }
        return config < 16 ? MODES[1] : MODES[2];
    }

    public static Bandwidth bandwidth(byte toc) {
        int config = (toc & 0xFF) >> 3;
        if (config < 12) {
            return BANDWIDTHS[config >> 2]; // NB, MB, WB
        }
        if (config < 16) {
            return BANDWIDTHS[3 + ((config >> 1) & 1)]; // SWB, FB
        }
        int band = (config - 16) >> 2; // NB, WB, SWB, FB: CELT has no mediumband
        return BANDWIDTHS[band == 0 ? 0 : band + 1];
    }

    /** Duration of each frame in the packet, in samples per channel at 48 kHz. */
    public static int samplesPerFrame(byte toc) {
        int config = (toc & 0xFF) >> 3;
        if (config < 12) {
            int size = config & 3; // 10, 20, 40, 60 ms
            return size == 3 ? 2880 : 480 << size;
        }
        if (config < 16) {
            return (config & 1) == 0 ? 480 : 960; // 10, 20 ms
        }
        return 120 << (config & 3); // 2.5, 5, 10, 20 ms
    }

    /** True when the packet is coded as stereo (the TOC 's' bit). */
    public static boolean isStereo(byte toc) {
        return (toc & 0x04) != 0;
    }

    /**
     * Number of frames from the frame count code, without validating lengths.
     *
     * @return 1 to 48, or {@link OpusError#INVALID_PACKET}
     */
    public static int frameCount(byte[] buf, int off, int len) {
        if (len < 1) {
            return OpusError.INVALID_PACKET;
        }
        int code = buf[off] & 3;
        if (code == 0) {
            return 1;
        }
        if (code != 3) {
            return 2;
        }
        if (len < 2) {
            return OpusError.INVALID_PACKET;
        }
        int count = buf[off + 1] & 0x3F;
        return count == 0 ? OpusError.INVALID_PACKET : count;
    }

    /**
     * Fully validates the packet (RFC 6716 section 3.4, requirements R1 to R7).
     *
     * @return the number of frames (at least 1), or {@link OpusError#INVALID_PACKET}
     */
    public static int validate(byte[] buf, int off, int len) {
        return (int) parse(buf, off, len, false);
    }

    /**
     * Audio duration of a valid packet.
     *
     * @return samples per channel at 48 kHz, or {@link OpusError#INVALID_PACKET}
     */
    public static int totalSamples(byte[] buf, int off, int len) {
        int frames = validate(buf, off, len);
        return frames < 0 ? frames : frames * samplesPerFrame(buf[off]);
    }

    /** A DTX or empty packet: the TOC plus at most one byte, no coded audio (0 to 2 bytes in all). */
    public static boolean isDtxOrEmpty(int len) {
        return len <= 2;
    }

    /**
     * Whether the packet carries in-band FEC (SILK LBRR data for the frame before it). Reads the
     * LBRR flag of the packet's first SILK frame: the first symbols a SILK decoder reads are the
     * per-frame VAD flags and then the LBRR flag, each coded with probability 1/2, so they are the
     * leading bits of the frame's first byte (mid channel, then side channel for stereo). This is
     * the same reading libopus 1.5 does in {@code opus_packet_has_lbrr}. CELT-only packets, invalid
     * packets and empty frames answer false.
     */
    public static boolean hasInbandFec(byte[] buf, int off, int len) {
        if (len < 2 || mode(buf[off]) == Mode.CELT) {
            return false;
        }
        long first = parse(buf, off, len, true);
        if (first < 0) {
            return false;
        }
        int frameOff = (int) (first >>> 32);
        int frameLen = (int) first;
        if (frameLen < 1) {
            return false;
        }
        int silkFrames = Math.max(1, samplesPerFrame(buf[off]) / 960); // SILK codes 20 ms sub-frames
        int b = buf[frameOff] & 0xFF;
        boolean lbrr = ((b >> (7 - silkFrames)) & 1) != 0;
        if (!lbrr && isStereo(buf[off])) {
            lbrr = ((b >> (6 - 2 * silkFrames)) & 1) != 0;
        }
        return lbrr;
    }

    /**
     * Walks the framing. With {@code wantFirstFrame} it returns {@code (offset << 32) | length} of
     * the first frame, otherwise the frame count; negative on a malformed packet.
     */
    private static long parse(byte[] buf, int off, int len, boolean wantFirstFrame) {
        if (buf == null || off < 0 || len < 1 || off + len > buf.length) {
            return OpusError.INVALID_PACKET;
        }
        int toc = buf[off] & 0xFF;
        int p = off + 1;
        int remaining = len - 1;
        int frames;
        int firstLen;
        switch (toc & 3) {
            case 0:
                frames = 1;
                firstLen = remaining;
                if (firstLen > MAX_FRAME_BYTES) {
                    return OpusError.INVALID_PACKET;
                }
                break;
            case 1:
                frames = 2;
                if ((remaining & 1) != 0 || remaining / 2 > MAX_FRAME_BYTES) {
                    return OpusError.INVALID_PACKET;
                }
                firstLen = remaining / 2;
                break;
            case 2: {
                frames = 2;
                int size = readLength(buf, p, remaining);
                if (size < 0) {
                    return OpusError.INVALID_PACKET;
                }
                int lenBytes = size >>> 16;
                firstLen = size & 0xFFFF;
                p += lenBytes;
                remaining -= lenBytes;
                if (firstLen > remaining || firstLen > MAX_FRAME_BYTES
                        || remaining - firstLen > MAX_FRAME_BYTES) {
                    return OpusError.INVALID_PACKET;
                }
                break;
            }
            default: {
                if (remaining < 1) {
                    return OpusError.INVALID_PACKET;
                }
                int ch = buf[p++] & 0xFF;
                remaining--;
                frames = ch & 0x3F;
                if (frames == 0 || frames * samplesPerFrame((byte) toc) > MAX_PACKET_SAMPLES) {
                    return OpusError.INVALID_PACKET;
                }
                if ((ch & 0x40) != 0) { // padding: 255 means 254 bytes and another length byte
                    int pb;
                    do {
                        if (remaining < 1) {
                            return OpusError.INVALID_PACKET;
                        }
                        pb = buf[p++] & 0xFF;
                        remaining--;
                        remaining -= pb == 255 ? 254 : pb;
                    } while (pb == 255);
                    if (remaining < 0) {
                        return OpusError.INVALID_PACKET;
                    }
                }
                if ((ch & 0x80) != 0) { // VBR: explicit lengths for all frames but the last
                    int dataBytes = remaining;
                    int q = p;
                    firstLen = -1;
                    for (int i = 0; i < frames - 1; i++) {
                        int size = readLength(buf, q, dataBytes);
                        if (size < 0) {
                            return OpusError.INVALID_PACKET;
                        }
                        int lenBytes = size >>> 16;
                        int frameLen = size & 0xFFFF;
                        q += lenBytes;
                        dataBytes -= lenBytes + frameLen;
                        if (dataBytes < 0 || frameLen > MAX_FRAME_BYTES) {
                            return OpusError.INVALID_PACKET;
                        }
                        if (i == 0) {
                            firstLen = frameLen;
                        }
                    }
                    if (dataBytes > MAX_FRAME_BYTES) {
                        return OpusError.INVALID_PACKET;
                    }
                    if (frames == 1) {
                        firstLen = dataBytes;
                    }
                    p = q;
                } else { // CBR: equal frames share what is left
                    if (remaining % frames != 0 || remaining / frames > MAX_FRAME_BYTES) {
                        return OpusError.INVALID_PACKET;
                    }
                    firstLen = remaining / frames;
                }
                break;
            }
        }
        if (wantFirstFrame) {
            return ((long) p << 32) | (firstLen & 0xFFFFFFFFL);
        }
        return frames;
    }

    /** A frame length (RFC 6716 section 3.2.1): returns {@code (bytesUsed << 16) | length}, or -1. */
    private static int readLength(byte[] buf, int p, int available) {
        if (available < 1) {
            return -1;
        }
        int b0 = buf[p] & 0xFF;
        if (b0 < 252) {
            return (1 << 16) | b0;
        }
        if (available < 2) {
            return -1;
        }
        return (2 << 16) | (4 * (buf[p + 1] & 0xFF) + b0);
    }
}
