package org.duet.mixer.webrtc.sdp;

import java.security.SecureRandom;

/**
 * ICE username fragment and password (RFC 8839 section 5.4): ufrag 4..256 and pwd 22..256
 * characters from the ice-char set (ALPHA / DIGIT / "+" / "/").
 */
public record IceCredentials(String ufrag, String pwd) {

    private static final String ICE_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final SecureRandom RANDOM = new SecureRandom();

    public IceCredentials {
        if (!valid(ufrag, 4)) {
            throw new IllegalArgumentException("ice-ufrag must be 4..256 ice-chars");
        }
        if (!valid(pwd, 22)) {
            throw new IllegalArgumentException("ice-pwd must be 22..256 ice-chars");
        }
    }

    /** Fresh random credentials: 8-char ufrag, 24-char pwd (144 bits, above the 128 RFC 8445 asks). */
    public static IceCredentials random() {
        return new IceCredentials(randomChars(8), randomChars(24));
    }

    static boolean valid(String s, int minLength) {
        if (s == null || s.length() < minLength || s.length() > 256) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (ICE_CHARS.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String randomChars(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + ", pwd=<hidden>]";
    }
}
