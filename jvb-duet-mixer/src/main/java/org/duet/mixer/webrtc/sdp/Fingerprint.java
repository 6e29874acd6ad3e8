package org.duet.mixer.webrtc.sdp;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;

/**
 * A certificate fingerprint, {@code a=fingerprint:<hash-func> <AA:BB:...>} (RFC 8122). Accepted
 * hash functions: sha-1, sha-224, sha-256, sha-384, sha-512 (the ones browsers use or may use).
 */
public final class Fingerprint {

    private final String hashFunction;
    private final byte[] digest;

    public Fingerprint(String hashFunction, byte[] digest) {
        String hash = hashFunction.toLowerCase(Locale.ROOT);
        int expected = digestLength(hash);
        if (expected < 0) {
            throw new IllegalArgumentException("unsupported fingerprint hash function " + hashFunction);
        }
        if (digest.length != expected) {
            throw new IllegalArgumentException(hash + " fingerprint must be " + expected + " bytes, got " + digest.length);
        }
        this.hashFunction = hash;
        this.digest = digest.clone();
    }

    /** SHA-256 fingerprint of a DER-encoded certificate. */
    public static Fingerprint sha256Of(byte[] derCertificate) {
        return new Fingerprint("sha-256", hash("sha-256", derCertificate));
    }

    /** Parses the attribute value, e.g. {@code "sha-256 99:5C:..."}. */
    public static Fingerprint parse(String value) throws SdpException {
        int space = value.indexOf(' ');
        if (space <= 0) {
            throw new SdpException("a=fingerprint must be '<hash-function> <hex pairs>', got '" + value + "'");
        }
        String hash = value.substring(0, space).toLowerCase(Locale.ROOT);
        String hex = value.substring(space + 1).trim();
        int length = digestLength(hash);
        if (length < 0) {
            throw new SdpException("a=fingerprint uses unsupported hash function '" + hash
                    + "' (supported: sha-1, sha-224, sha-256, sha-384, sha-512)");
        }
        String[] pairs = hex.split(":", -1);
        if (pairs.length != length) {
            throw new SdpException("a=fingerprint " + hash + " must have " + length + " hex pairs, got " + pairs.length);
        }
        byte[] digest = new byte[length];
        for (int i = 0; i < length; i++) {
            String p = pairs[i];
            if (p.length() != 2 || Character.digit(p.charAt(0), 16) < 0 || Character.digit(p.charAt(1), 16) < 0) {
                throw new SdpException("a=fingerprint has a malformed hex pair '" + p + "'");
            }
            digest[i] = (byte) Integer.parseInt(p, 16);
        }
        return new Fingerprint(hash, digest);
    }

    public String hashFunction() {
        return hashFunction;
    }

    public byte[] digest() {
        return digest.clone();
    }

    /** True when {@code derCertificate} hashes (with this fingerprint's function) to this digest. */
    public boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(digest, hash(hashFunction, derCertificate));
    }

    /** The attribute value, e.g. {@code "sha-256 99:5C:..."} (upper-case hex as browsers write it). */
    public String attributeValue() {
        StringBuilder sb = new StringBuilder(hashFunction.length() + 1 + digest.length * 3);
        sb.append(hashFunction).append(' ');
        for (int i = 0; i < digest.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Character.toUpperCase(Character.forDigit((digest[i] >> 4) & 0xF, 16)));
            sb.append(Character.toUpperCase(Character.forDigit(digest[i] & 0xF, 16)));
        }
        return sb.toString();
    }

    static int digestLength(String hash) {
        switch (hash) {
            case "sha-1": return 20;
            case "sha-224": return 28;
            case "sha-256": return 32;
            case "sha-384": return 48;
            case "sha-512": return 64;
            default: return -1;
        }
    }

    private static byte[] hash(String hashFunction, byte[] data) {
        String jca = hashFunction.toUpperCase(Locale.ROOT); // "SHA-256" etc. are JCA names
        try {
            return MessageDigest.getInstance(jca).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JCA lacks " + jca, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.hashFunction.equals(hashFunction) && Arrays.equals(f.digest, digest);
    }

    @Override
    public int hashCode() {
        return hashFunction.hashCode() * 31 + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return attributeValue();
    }
}
