package org.duet.mixer.rtcp;

/**
 * Parses a compound RTCP packet (RFC 3550 section 6) and reports its content to an {@link RtcpListener}:
 * SR, RR, SDES and BYE are interpreted; any other type in the RTCP range (RTPFB, PSFB, APP, XR, ...) is
 * skipped and reported by type.
 *
 * <p>The whole datagram is validated first (RFC 3550 appendix A.2: version 2 in every packet, lengths that
 * add up to the datagram, padding only on the last packet) and only then delivered, so a listener never
 * sees part of a rejected datagram. Nothing allocates or throws for bad input; the result says why a
 * datagram was rejected (count it in a {@link RtcpDropCounters}).
 *
 * <p>"The first packet must be SR or RR" (A.2) is relaxed by default: with {@code a=rtcp-rsize}
 * negotiated (RFC 5506), which Chromium offers, libwebrtc sends reduced-size RTCP, e.g. a lone transport-cc
 * (RTPFB) or PLI (PSFB) datagram with no report in front. {@link #strict()} gives the A.2 check.
 *
 * <p>What it reads (RFC 3550 sections 6.4.1, 6.4.2, 6.5, 6.6; every packet starts with the same
 * 4-byte header, length in 32-bit words minus one):
 * <pre>
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=SR=200   |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         SSRC of sender                        |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * sender |              NTP timestamp, most significant word             |
 * info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * (SR    |             NTP timestamp, least significant word             |
 * only)  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         RTP timestamp                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     sender's packet count                     |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      sender's octet count                     |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 SSRC_1 (SSRC of first source)                 |
 * block  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   1    | fraction lost |       cumulative number of packets lost       |
 * (RC of +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * them,  |           extended highest sequence number received           |
 * in SR  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * and RR |                      interarrival jitter                      |
 * =201)  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         last SR (LSR)                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                   delay since last SR (DLSR)                  |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * SDES   |V=2|P|    SC   |  PT=SDES=202  |             length            |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * chunk  |                          SSRC/CSRC_1                          |
 * (SC of +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * them)  |   item type   |     length    |  text (CNAME = 1) ...         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        | ... more items, then a 0 byte and padding to 32 bits          |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * BYE    |V=2|P|    SC   |   PT=BYE=203  |             length            |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     SSRC/CSRC (SC of them)                    |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * (opt)  |     length    |               reason for leaving            ...
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class RtcpParser {
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int APP = 204;
    public static final int RTPFB = 205;
    public static final int PSFB = 206;
    public static final int XR = 207;

    /** SDES item type of the canonical name. */
    public static final int SDES_CNAME = 1;

    private static final int REPORT_BLOCK_LENGTH = 24;

    private final boolean acceptReducedSize;

    /** A parser that accepts reduced-size RTCP (RFC 5506). */
    public RtcpParser() {
        this(true);
    }

    public RtcpParser(boolean acceptReducedSize) {
        this.acceptReducedSize = acceptReducedSize;
    }

    /** A parser that requires an SR or RR first (RFC 3550 A.2 as written). */
    public static RtcpParser strict() {
        return new RtcpParser(false);
    }

    /**
     * Validates the compound packet in buf[off..off+len) and, if valid, reports its content to
     * {@code listener} (null means validate only).
     */
    public RtcpDropReason parse(byte[] buf, int off, int len, RtcpListener listener) {
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
            return RtcpDropReason.BAD_BOUNDS;
        }
        RtcpDropReason reason = walk(buf, off, len, null);
        if (reason == RtcpDropReason.NONE && listener != null) {
            walk(buf, off, len, listener);
        }
        return reason;
    }

    /** One pass over the datagram; validates only when {@code l} is null, else also reports. */
    private RtcpDropReason walk(byte[] b, int off, int len, RtcpListener l) {
        if (len < 4) {
            return RtcpDropReason.TOO_SHORT;
        }
        int end = off + len;
        int p = off;
        boolean first = true;
        while (p < end) {
            if (end - p < 4) {
                return RtcpDropReason.BAD_LENGTH;
            }
            int b0 = b[p] & 0xFF;
            if ((b0 >>> 6) != 2) {
                return RtcpDropReason.BAD_VERSION;
            }
            int type = b[p + 1] & 0xFF;
            if (type < 192 || type > 223) {
                return RtcpDropReason.BAD_PACKET_TYPE;
            }
            int packetLength = 4 * (u16(b, p + 2) + 1);
            if (packetLength > end - p) {
                return RtcpDropReason.BAD_LENGTH;
            }
            if (first && !acceptReducedSize && type != SR && type != RR) {
                return RtcpDropReason.NOT_SR_OR_RR_FIRST;
            }
            int body = packetLength;
            if ((b0 & 0x20) != 0) {
                if (p + packetLength != end) {
                    return RtcpDropReason.BAD_PADDING;
                }
                int padding = b[p + packetLength - 1] & 0xFF;
                if (padding == 0 || padding > packetLength - 4) {
                    return RtcpDropReason.BAD_PADDING;
                }
                body -= padding;
            }
            int count = b0 & 0x1F;
            RtcpDropReason reason;
            switch (type) {
                case SR:
                    reason = report(b, p, body, count, true, l);
                    break;
                case RR:
                    reason = report(b, p, body, count, false, l);
                    break;
                case SDES:
                    reason = sdes(b, p, body, count, l);
                    break;
                case BYE:
                    reason = bye(b, p, body, count, l);
                    break;
                default:
                    if (l != null) {
                        l.onOtherPacket(type, count, b, p, body);
                    }
                    reason = RtcpDropReason.NONE;
            }
            if (reason != RtcpDropReason.NONE) {
                return reason;
            }
            p += packetLength;
            first = false;
        }
        return RtcpDropReason.NONE;
    }

    private static RtcpDropReason report(byte[] b, int p, int body, int count, boolean sender, RtcpListener l) {
        int blocksAt = sender ? 28 : 8;
        if (body < blocksAt + REPORT_BLOCK_LENGTH * count) {
            return RtcpDropReason.BAD_REPORT;
        }
        if (l == null) {
            return RtcpDropReason.NONE;
        }
        long ssrc = u32(b, p + 4);
        if (sender) {
            long ntp = (u32(b, p + 8) << 32) | u32(b, p + 12);
            l.onSenderReport(ssrc, ntp, u32(b, p + 16), u32(b, p + 20), u32(b, p + 24));
        }
        for (int i = 0, q = p + blocksAt; i < count; i++, q += REPORT_BLOCK_LENGTH) {
            int cumulativeLost = (b[q + 5] << 16) | ((b[q + 6] & 0xFF) << 8) | (b[q + 7] & 0xFF); // signed 24
            l.onReportBlock(ssrc, u32(b, q), b[q + 4] & 0xFF, cumulativeLost, u32(b, q + 8), u32(b, q + 12),
                    u32(b, q + 16), u32(b, q + 20));
        }
        return RtcpDropReason.NONE;
    }

    private static RtcpDropReason sdes(byte[] b, int p, int body, int count, RtcpListener l) {
        int end = p + body;
        int q = p + 4;
        for (int chunk = 0; chunk < count; chunk++) {
            if (end - q < 4) {
                return RtcpDropReason.BAD_SDES;
            }
            long ssrc = u32(b, q);
            q += 4;
            while (true) {
                if (q >= end) {
                    return RtcpDropReason.BAD_SDES; // no null item ends the chunk
                }
                int itemType = b[q] & 0xFF;
                if (itemType == 0) {
                    q = p + ((q + 1 - p + 3) & ~3); // null octets up to the next 32-bit boundary
                    if (q > end) {
                        return RtcpDropReason.BAD_SDES;
                    }
                    break;
                }
                if (end - q < 2) {
                    return RtcpDropReason.BAD_SDES;
                }
                int itemLength = b[q + 1] & 0xFF;
                if (itemLength > end - q - 2) {
                    return RtcpDropReason.BAD_SDES;
                }
                if (l != null) {
                    l.onSdesItem(ssrc, itemType, b, q + 2, itemLength);
                }
                q += 2 + itemLength;
            }
        }
        return RtcpDropReason.NONE;
    }

    private static RtcpDropReason bye(byte[] b, int p, int body, int count, RtcpListener l) {
        int reasonAt = 4 + 4 * count;
        if (body < reasonAt) {
            return RtcpDropReason.BAD_BYE;
        }
        if (body > reasonAt) {
            int reasonLength = b[p + reasonAt] & 0xFF;
            if (reasonLength > body - reasonAt - 1) {
                return RtcpDropReason.BAD_BYE;
            }
        }
        if (l != null) {
            for (int i = 0; i < count; i++) {
                l.onBye(u32(b, p + 4 + 4 * i));
            }
        }
        return RtcpDropReason.NONE;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
}
