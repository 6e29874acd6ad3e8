package org.duet.mixer.webrtc;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.duet.mixer.webrtc.dtls.DtlsCertificate;
import org.duet.mixer.webrtc.dtls.DtlsEndpoint;
import org.duet.mixer.webrtc.ice.StunWarmUp;
import org.duet.mixer.webrtc.srtp.PacketBuffer;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.duet.mixer.webrtc.srtp.SrtpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a cold JVM the first browser would wait seconds for class loading and initialisation in
 * ice4j (its configuration), bctls (the first handshake) and jitsi-srtp (cipher selection). This
 * does one of each at startup, in memory, so the first real connection is as fast as the rest.
 *
 * <p>It only makes the first connection faster, so a slow warm-up never stops the server: the
 * in-memory DTLS handshake runs on its own thread and the caller waits for it at most
 * {@link #WAIT}. On a loaded machine (seen at load 13-34 on
 * 2 cores: not done in 10 s) the server then starts anyway, says so in one warning, and the
 * warm-up goes on in the background (its end is logged too). The handshake's own timeout is long
 * ({@link #HANDSHAKE_TIMEOUT_MILLIS}), so load alone does not make it fail; a handshake that does
 * fail (a broken DTLS or SRTP stack, which no browser could use either) still fails the start when
 * it fails within the wait. One warm-up per JVM: a second factory finds the classes warm.
 */
final class WarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    /** How long the server start waits for the warm-up (the first handshake took 0.17 s when this was written). */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** The in-memory handshake's timeout: far above the wait, so a busy machine only makes it late. */
    static final int HANDSHAKE_TIMEOUT_MILLIS = 120_000;

    private static final Object LOCK = new Object();
    private static CompletableFuture<Duration> started;

    private WarmUp() {
    }

    /**
     * Warms the WebRTC stack once per JVM; waits for it at most the configured time. Throws only
     * when the warm-up failed (not when it is merely slow).
     */
    static void run(DtlsCertificate certificate, List<SrtpProfile> profiles) {
        StunWarmUp.run();
        CompletableFuture<Duration> warm;
        synchronized (LOCK) {
            if (started == null || started.isCompletedExceptionally()) {
                started = start(certificate, profiles);
            }
            warm = started;
        }
        await(warm, WAIT);
    }

    /**
     * Waits up to {@code wait} for a warm-up. Returns whether it was done; a warm-up still running
     * after the wait is logged (once now, once when it ends) and left running.
     *
     * @throws IllegalStateException when the warm-up failed within the wait
     */
    static boolean await(CompletableFuture<Duration> warm, Duration wait) {
        try {
            Duration took = warm.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("WebRTC warm-up done in {} ms", took.toMillis());
            return true;
        } catch (TimeoutException e) {
            LOG.warn(String.format(Locale.ROOT, "WebRTC warm-up (an in-memory DTLS handshake) not done after %.1f s"
                    + " (a busy machine?): starting without it; it goes on in the background and the first"
                    + " browser's handshake may be slower", wait.toMillis() / 1000.0));
            warm.whenComplete((took, failure) -> {
                if (failure != null) {
                    LOG.warn("WebRTC warm-up failed in the background: {}", message(failure));
                } else {
                    LOG.info("WebRTC warm-up done in the background, {} ms after it started", took.toMillis());
                }
            });
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("WebRTC warm-up failed: " + message(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts one in-memory DTLS handshake between two endpoints holding {@code certificate}, then
     * an SRTP round trip for each profile, on a daemon thread; completes with how long it took.
     */
    static CompletableFuture<Duration> start(DtlsCertificate certificate, List<SrtpProfile> profiles) {
        CompletableFuture<Duration> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                handshakeAndRoundTrips(certificate, profiles);
                done.complete(Duration.ofNanos(System.nanoTime() - t0));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "duet-webrtc-warm-up");
        t.setDaemon(true);
        t.start();
        return done;
    }

    private static void handshakeAndRoundTrips(DtlsCertificate certificate, List<SrtpProfile> profiles)
            throws Exception {
        CompletableFuture<SrtpKeys> serverKeys = new CompletableFuture<>();
        CompletableFuture<SrtpKeys> clientKeys = new CompletableFuture<>();
        DtlsEndpoint[] ends = new DtlsEndpoint[2];
        ends[0] = new DtlsEndpoint("warm-up-client", certificate, List.of(certificate.fingerprint()), true, profiles,
                HANDSHAKE_TIMEOUT_MILLIS, (b, o, l) -> ends[1].receive(b, o, l), listener(clientKeys));
        ends[1] = new DtlsEndpoint("warm-up-server", certificate, List.of(certificate.fingerprint()), false, profiles,
                HANDSHAKE_TIMEOUT_MILLIS, (b, o, l) -> ends[0].receive(b, o, l), listener(serverKeys));
        try {
            ends[1].start();
            ends[0].start();
            // bounded by the handshake's own timeout; a little more so that its failure is what we see
            SrtpKeys client = clientKeys.get(HANDSHAKE_TIMEOUT_MILLIS + 10_000L, TimeUnit.MILLISECONDS);
            SrtpKeys server = serverKeys.get(HANDSHAKE_TIMEOUT_MILLIS + 10_000L, TimeUnit.MILLISECONDS);
            for (SrtpProfile p : profiles) {
                // the handshake produced keys for one profile; resized, they exercise the others
                roundTrip(new SrtpKeys(p, resize(client.localKey(), p.keyLength()),
                        resize(client.localSalt(), p.saltLength()), resize(client.remoteKey(), p.keyLength()),
                        resize(client.remoteSalt(), p.saltLength())));
            }
            if (server.profile() != client.profile()) {
                throw new IllegalStateException("warm-up handshake disagreed on the SRTP profile");
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } finally {
            ends[0].close();
            ends[1].close();
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void roundTrip(SrtpKeys keys) {
        SrtpKeys mirrored = new SrtpKeys(keys.profile(), keys.remoteKey(), keys.remoteSalt(), keys.localKey(),
                keys.localSalt());
        try (SrtpSession a = new SrtpSession(keys); SrtpSession b = new SrtpSession(mirrored)) {
            byte[] rtp = new byte[112];
            rtp[0] = (byte) 0x80;
            rtp[1] = 111;
            PacketBuffer buf = new PacketBuffer(256);
            buf.copyFrom(rtp, 0, rtp.length, SrtpSession.MAX_TRAILER);
            a.protectRtp(buf);
            b.unprotectRtp(buf);
        }
    }

    private static byte[] resize(byte[] b, int length) {
        return java.util.Arrays.copyOf(b, length);
    }

    private static DtlsEndpoint.Listener listener(CompletableFuture<SrtpKeys> keys) {
        return new DtlsEndpoint.Listener() {
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
                // closing is ours
            }
        };
    }
}
