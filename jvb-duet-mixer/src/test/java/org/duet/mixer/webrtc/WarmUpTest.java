package org.duet.mixer.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.webrtc.dtls.DtlsCertificate;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.junit.jupiter.api.Test;

/** The WebRTC warm-up: done in memory; late on a busy machine is no failure, a broken stack is. */
class WarmUpTest {

    @Test
    void aWarmUpStillRunningAfterTheWaitDoesNotStopTheStart() {
        CompletableFuture<Duration> slow = new CompletableFuture<>();
        assertThat(WarmUp.await(slow, Duration.ofMillis(20))).isFalse();
        slow.complete(Duration.ofSeconds(25)); // ends later, in the background: logged, nothing thrown
        CompletableFuture<Duration> slowThenFailed = new CompletableFuture<>();
        assertThat(WarmUp.await(slowThenFailed, Duration.ofMillis(20))).isFalse();
        slowThenFailed.completeExceptionally(new IllegalStateException("DTLS handshake failed: timed out"));
    }

    @Test
    void aWarmUpThatFailsWithinTheWaitFailsTheStart() {
        assertThatThrownBy(() -> WarmUp.await(
                CompletableFuture.failedFuture(new IllegalStateException("no SRTP profile in common")), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("WebRTC warm-up failed: no SRTP profile in common");
    }

    @Test
    void theInMemoryHandshakeCompletes() throws Exception {
        DtlsCertificate certificate = DtlsCertificate.generate(Duration.ofDays(1));
        long t0 = System.nanoTime();
        Duration took = WarmUp.start(certificate, List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80))
                .get(WarmUp.HANDSHAKE_TIMEOUT_MILLIS + 20_000L, TimeUnit.MILLISECONDS);
        assertThat(took).isPositive();
        assertThat(WarmUp.await(CompletableFuture.completedFuture(took), Duration.ZERO)).isTrue();
        System.out.printf(Locale.ROOT, "webrtc_warm_up_ms %.0f (waited %.0f ms)%n", took.toNanos() / 1e6,
                (System.nanoTime() - t0) / 1e6);
    }
}
