package org.duet.mixer.webrtc.ice;

import org.ice4j.attribute.FingerprintAttribute;
import org.ice4j.attribute.MessageIntegrityAttribute;

/**
 * MESSAGE-INTEGRITY (RFC 8489 section 14.5) and FINGERPRINT (section 14.7) over raw STUN bytes.
 * The HMAC and CRC come from ice4j; what is here is where they apply: the message length field
 * must already count the attribute being computed.
 *
 * <p>A STUN message (RFC 8489 sections 5 and 14), as this code reads it:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Magic Cookie (0x2112A442)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |                     Transaction ID (96 bits)                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |  attributes,
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  each padded
 * |                         Value (variable)                ....     to 32 bits
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Message Length counts the bytes after the 20-byte header. A Binding request (type 0x0001) from a
 * browser carries USERNAME (0x0006, "local-ufrag:remote-ufrag"), PRIORITY (0x0024),
 * ICE-CONTROLLING (0x802A), optionally USE-CANDIDATE (0x0025), then MESSAGE-INTEGRITY (0x0008,
 * HMAC-SHA1 over everything before it, with Message Length already counting it) and FINGERPRINT
 * (0x8028, CRC-32 xor 0x5354554E over everything before it).
 */
final class StunIntegrity {

    static final int HEADER = 20;
    static final int TYPE_MESSAGE_INTEGRITY = 0x0008;
    static final int TYPE_FINGERPRINT = 0x8028;
    private static final int MI_SIZE = 4 + 20;
    private static final int FP_SIZE = 4 + 4;

    private StunIntegrity() {
    }

    /** Offset of the first attribute of {@code type} in a well-formed message, or -1. */
    static int find(byte[] b, int off, int len, int type) {
        int p = off + HEADER;
        int end = off + len;
        while (p + 4 <= end) {
            int t = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
            int l = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
            if (t == type) {
                return p;
            }
            p += 4 + ((l + 3) & ~3);
        }
        return -1;
    }

    /** True when the message's MESSAGE-INTEGRITY verifies with {@code key} (the ICE password). */
    static boolean verify(byte[] b, int off, int len, byte[] key) {
        int mi = find(b, off, len, TYPE_MESSAGE_INTEGRITY);
        if (mi < 0 || mi + MI_SIZE > off + len || length(b, mi + 2) != 20) {
            return false;
        }
        int covered = mi - off;
        byte[] copy = new byte[covered];
        System.arraycopy(b, off, copy, 0, covered);
        putShort(copy, 2, covered - HEADER + MI_SIZE);
        byte[] expected = MessageIntegrityAttribute.calculateHmacSha1(copy, 0, covered, key);
        int diff = 0;
        for (int i = 0; i < 20; i++) {
            diff |= expected[i] ^ b[mi + 4 + i];
        }
        return diff == 0;
    }

    /**
     * Appends MESSAGE-INTEGRITY then FINGERPRINT to the message in {@code b[0..len)} and returns the new length.
     */
    static int sign(byte[] b, int len, byte[] key) {
        putShort(b, 2, len - HEADER + MI_SIZE);
        byte[] hmac = MessageIntegrityAttribute.calculateHmacSha1(b, 0, len, key);
        putShort(b, len, TYPE_MESSAGE_INTEGRITY);
        putShort(b, len + 2, 20);
        System.arraycopy(hmac, 0, b, len + 4, 20);
        len += MI_SIZE;
        putShort(b, 2, len - HEADER + FP_SIZE);
        byte[] crc = FingerprintAttribute.calculateXorCRC32(b, 0, len);
        putShort(b, len, TYPE_FINGERPRINT);
        putShort(b, len + 2, 4);
        System.arraycopy(crc, 0, b, len + 4, 4);
        return len + FP_SIZE;
    }

    private static int length(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
    }
}
