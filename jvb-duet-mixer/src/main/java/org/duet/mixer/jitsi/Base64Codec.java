package org.duet.mixer.jitsi;

/**
 * Standard base64 (RFC 4648 section 4, with padding) straight between the JSON parser's
 * characters and pooled byte arrays. {@link java.util.Base64} wants a {@code String} or a
 * {@code byte[]} source and allocates its result; on the media path we decode every 10-20 ms per
 * voice, so this works in caller-owned arrays and allocates nothing.
 */
final class Base64Codec {

    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
        }
    }

    private Base64Codec() {
    }

    /** Bytes that {@code chars} characters of padded base64 can hold at most. */
    static int maxDecodedLength(int chars) {
        return chars / 4 * 3;
    }

    /**
     * Decodes {@code len} characters into {@code out}.
     *
     * @return the number of bytes written, or -1 when the text is not padded base64 or does not fit
     */
    static int decode(char[] in, int off, int len, byte[] out, int outOff) {
        if (len % 4 != 0) {
            return -1;
        }
        int pad = 0;
        if (len > 0 && in[off + len - 1] == '=') {
            pad++;
            if (in[off + len - 2] == '=') {
                pad++;
            }
        }
        int outLen = len / 4 * 3 - pad;
        if (outOff < 0 || outLen > out.length - outOff) {
            return -1;
        }
        int o = outOff;
        int end = off + len;
        for (int i = off; i < end; i += 4) {
            int a = value(in[i]);
            int b = value(in[i + 1]);
            boolean last = i + 4 == end;
            int c = last && pad == 2 ? 0 : value(in[i + 2]);
            int d = last && pad >= 1 ? 0 : value(in[i + 3]);
            if ((a | b | c | d) < 0) {
                return -1;
            }
            int bits = a << 18 | b << 12 | c << 6 | d;
            out[o++] = (byte) (bits >> 16);
            if (!(last && pad == 2)) {
                out[o++] = (byte) (bits >> 8);
            }
            if (!(last && pad >= 1)) {
                out[o++] = (byte) bits;
            }
        }
        return o - outOff;
    }

    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }

    /** Appends the padded base64 of {@code len} bytes to {@code out}. */
    static void encode(byte[] in, int off, int len, StringBuilder out) {
        int end = off + len;
        int i = off;
        for (; i + 3 <= end; i += 3) {
            int bits = (in[i] & 0xFF) << 16 | (in[i + 1] & 0xFF) << 8 | (in[i + 2] & 0xFF);
            out.append(ALPHABET[bits >>> 18]).append(ALPHABET[(bits >>> 12) & 63])
                    .append(ALPHABET[(bits >>> 6) & 63]).append(ALPHABET[bits & 63]);
        }
        int rest = end - i;
        if (rest == 1) {
            int bits = (in[i] & 0xFF) << 16;
            out.append(ALPHABET[bits >>> 18]).append(ALPHABET[(bits >>> 12) & 63]).append("==");
        } else if (rest == 2) {
            int bits = (in[i] & 0xFF) << 16 | (in[i + 1] & 0xFF) << 8;
            out.append(ALPHABET[bits >>> 18]).append(ALPHABET[(bits >>> 12) & 63])
                    .append(ALPHABET[(bits >>> 6) & 63]).append('=');
        }
    }
}
