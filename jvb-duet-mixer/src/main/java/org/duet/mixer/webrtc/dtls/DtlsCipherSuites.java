package org.duet.mixer.webrtc.dtls;

import org.bouncycastle.tls.CipherSuite;

/** ECDHE-ECDSA suites for our ECDSA certificate, AEAD first; all are ones browsers offer. */
final class DtlsCipherSuites {

    static final int[] SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };

    private DtlsCipherSuites() {
    }
}
