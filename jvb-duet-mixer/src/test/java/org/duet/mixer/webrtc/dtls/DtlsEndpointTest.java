package org.duet.mixer.webrtc.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.webrtc.sdp.Fingerprint;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.junit.jupiter.api.Test;

/** Two DtlsEndpoints wired to each other in memory: both roles, key agreement, fingerprint refusal. */
class DtlsEndpointTest {

    private static final DtlsCertificate A = DtlsCertificate.generate(Duration.ofDays(1));
    private static final DtlsCertificate B = DtlsCertificate.generate(Duration.ofDays(1));

    private static final class Outcome implements DtlsEndpoint.Listener {
        final CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();

        @Override
        public void onConnected(SrtpKeys k) {
            keys.complete(k);
        }

        @Override
        public void onFailed(String reason) {
            keys.completeExceptionally(new IllegalStateException(reason));
        }

        @Override
        public void onClosedByPeer() {
        }
    }

    private static DtlsEndpoint[] pair(Fingerprint clientExpects, Fingerprint serverExpects, List<SrtpProfile> clientProfiles,
                                       Outcome clientOutcome, Outcome serverOutcome) {
        DtlsEndpoint[] ends = new DtlsEndpoint[2];
        ends[0] = new DtlsEndpoint("client", A, List.of(clientExpects), true, clientProfiles, 5000,
                (b, o, l) -> ends[1].receive(b, o, l), clientOutcome);
        ends[1] = new DtlsEndpoint("server", B, List.of(serverExpects), false,
                List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80), 5000,
                (b, o, l) -> ends[0].receive(b, o, l), serverOutcome);
        return ends;
    }

    @Test
    void handshakeAgreesOnMirroredKeys() throws Exception {
        Outcome c = new Outcome();
        Outcome s = new Outcome();
        DtlsEndpoint[] ends = pair(B.fingerprint(), A.fingerprint(), List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80), c, s);
        ends[1].start();
        ends[0].start();
        SrtpKeys client = c.keys.get(10, TimeUnit.SECONDS);
        SrtpKeys server = s.keys.get(10, TimeUnit.SECONDS);
        assertThat(client.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80); // the only one the client offered
        assertThat(server.profile()).isEqualTo(client.profile());
        assertThat(client.localKey()).isEqualTo(server.remoteKey()).hasSize(16);
        assertThat(client.localSalt()).isEqualTo(server.remoteSalt()).hasSize(14);
        assertThat(client.remoteKey()).isEqualTo(server.localKey()).isNotEqualTo(client.localKey());
        assertThat(ends[0].state()).isEqualTo(DtlsEndpoint.State.CONNECTED);
        ends[0].close();
        ends[1].close();
    }

    @Test
    void serverRefusesAClientWhoseCertificateDoesNotMatch() throws Exception {
        Outcome c = new Outcome();
        Outcome s = new Outcome();
        DtlsEndpoint[] ends = pair(B.fingerprint(), B.fingerprint() /* wrong: the client is A */,
                List.of(SrtpProfile.AEAD_AES_128_GCM), c, s);
        ends[1].start();
        ends[0].start();
        assertThat(s.keys).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("DTLS fingerprint mismatch")
                .withMessageContaining(A.fingerprint().attributeValue());
        assertThat(ends[1].failure()).contains("connection refused");
        ends[0].close();
        ends[1].close();
    }

    @Test
    void clientRefusesAServerWhoseCertificateDoesNotMatch() throws Exception {
        Outcome c = new Outcome();
        Outcome s = new Outcome();
        DtlsEndpoint[] ends = pair(A.fingerprint() /* wrong: the server is B */, A.fingerprint(),
                List.of(SrtpProfile.AEAD_AES_128_GCM), c, s);
        ends[1].start();
        ends[0].start();
        assertThat(c.keys).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("DTLS fingerprint mismatch");
        ends[0].close();
        ends[1].close();
    }
}
