package org.duet.mixer.rtp;

/**
 * Tells RTP from RTCP on one port (rtcp-mux, RFC 5761 section 4): RTCP packet types 192..223 are the second
 * byte; RTP payload types 64..95 with the marker bit would collide and are not used for that reason.
 * STUN/DTLS/SRTP-vs-other demultiplexing (RFC 7983) happens before this, in the transport.
 */
public final class RtpRtcpDemux {
    private RtpRtcpDemux() {
    }

    /** True when the packet is RTCP: version 2, at least a 4-byte header, second byte in 192..223. */
    public static boolean isRtcp(byte[] buf, int off, int len) {
        if (buf == null || off < 0 || len < 4 || off > buf.length - len) {
            return false;
        }
        int type = buf[off + 1] & 0xFF;
        return (buf[off] & 0xC0) == 0x80 && type >= 192 && type <= 223;
    }

    /** True when the packet could be RTP: version 2, at least the fixed header, not RTCP. */
    public static boolean looksLikeRtp(byte[] buf, int off, int len) {
        if (buf == null || off < 0 || len < RtpPacket.FIXED_HEADER_LENGTH || off > buf.length - len) {
            return false;
        }
        return (buf[off] & 0xC0) == 0x80 && !isRtcp(buf, off, len);
    }
}
