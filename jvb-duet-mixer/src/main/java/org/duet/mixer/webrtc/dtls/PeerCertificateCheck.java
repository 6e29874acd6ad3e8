package org.duet.mixer.webrtc.dtls;

import java.io.IOException;
import java.util.List;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.TlsFatalAlert;
import org.duet.mixer.webrtc.sdp.Fingerprint;

/**
 * Authenticates the browser: the end-entity certificate it presents in the handshake must hash to
 * a fingerprint from its SDP (RFC 8122, RFC 5763 section 5). A mismatch aborts the handshake.
 */
final class PeerCertificateCheck {

    private final List<Fingerprint> expected;
    private volatile String failure;

    PeerCertificateCheck(List<Fingerprint> expected) {
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("no remote fingerprint to check against");
        }
        this.expected = List.copyOf(expected);
    }

    void verify(Certificate presented) throws IOException {
        if (presented == null || presented.isEmpty()) {
            failure = "the peer sent no DTLS certificate";
            throw new TlsFatalAlert(AlertDescription.certificate_required, failure);
        }
        byte[] der = presented.getCertificateAt(0).getEncoded();
        for (Fingerprint f : expected) {
            if (f.matches(der)) {
                return;
            }
        }
        Fingerprint want = expected.get(0);
        failure = "DTLS fingerprint mismatch: the peer's certificate is " + Fingerprint.sha256Of(der).attributeValue()
                + " but its SDP promised " + want.attributeValue() + "; connection refused";
        throw new TlsFatalAlert(AlertDescription.bad_certificate, failure);
    }

    /** Why verification failed, null if it did not. */
    String failure() {
        return failure;
    }
}
