package org.duet.mixer.webrtc.srtp;

import org.jitsi.srtp.SrtpPolicy;

/**
 * The DTLS-SRTP protection profiles Duet negotiates (RFC 5764 section 4.1.2, RFC 7714 section 14.2),
 * with their key and salt lengths for the RFC 5764 key export.
 */
public enum SrtpProfile {
    /** AES-128 GCM, 16-byte tag; what browsers prefer. */
    AEAD_AES_128_GCM(0x0007, 16, 12),
    /** AES-128 counter mode with an 80-bit HMAC-SHA1 tag; every browser supports it. */
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14);

    private final int id;
    private final int keyLength;
    private final int saltLength;

    SrtpProfile(int id, int keyLength, int saltLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
    }

    /** The IANA SRTPProtectionProfile value carried in the use_srtp extension. */
    public int id() {
        return id;
    }

    public int keyLength() {
        return keyLength;
    }

    public int saltLength() {
        return saltLength;
    }

    public static SrtpProfile byId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) {
                return p;
            }
        }
        return null;
    }

    /** A fresh jitsi-srtp policy for this profile (one per context factory: the policy is mutable). */
    SrtpPolicy policy() {
        SrtpPolicy p;
        if (this == AEAD_AES_128_GCM) {
            p = new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, saltLength);
        } else {
            p = new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, saltLength);
        }
        p.setReceiveReplayEnabled(true);
        p.setSendReplayEnabled(true);
        return p;
    }
}
