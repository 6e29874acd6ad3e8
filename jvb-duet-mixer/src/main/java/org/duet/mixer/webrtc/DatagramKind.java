package org.duet.mixer.webrtc;

/**
 * Demultiplexing of one socket shared by STUN, DTLS and SRTP/SRTCP, by the first byte
 * (RFC 7983 section 7): 0..3 STUN, 20..63 DTLS, 128..191 RTP or RTCP; RTCP within that when the
 * second byte (marker + payload type) is 192..223 (RFC 5761 section 4). Everything else,
 * including the ZRTP and TURN channel ranges, is not ours.
 */
public enum DatagramKind {
    STUN, DTLS, RTP, RTCP, UNKNOWN;

    public static DatagramKind of(byte[] buf, int off, int len) {
        if (len < 1) {
            return UNKNOWN;
        }
        int b0 = buf[off] & 0xFF;
        if (b0 <= 3) {
            return STUN;
        }
        if (b0 >= 20 && b0 <= 63) {
            return DTLS;
        }
        if (b0 >= 128 && b0 <= 191) {
            if (len < 2) {
                return UNKNOWN;
            }
            int b1 = buf[off + 1] & 0xFF;
            return b1 >= 192 && b1 <= 223 ? RTCP : RTP;
        }
        return UNKNOWN;
    }
}
