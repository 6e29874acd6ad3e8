package org.duet.mixer.webrtc;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.webrtc.dtls.DtlsCertificate;
import org.duet.mixer.webrtc.dtls.DtlsEndpoint;
import org.duet.mixer.webrtc.ice.StunWarmUp;
import org.duet.mixer.webrtc.srtp.PacketBuffer;
import org.duet.mixer.webrtc.srtp.SrtpKeys;
import org.duet.mixer.webrtc.srtp.SrtpProfile;
import org.duet.mixer.webrtc.srtp.SrtpSession;

/**
 * On a cold JVM the first browser would wait seconds for class loading and initialisation in
 * ice4j (its configuration), bctls (the first handshake) and jitsi-srtp (cipher selection). This
 * does one of each at startup, in memory, so the first real connection is as fast as the rest.
 */
final class WarmUp {

    private WarmUp() {
    }

    static void run(DtlsCertificate certificate, List<SrtpProfile> profiles) {
        StunWarmUp.run();
        CompletableFuture<SrtpKeys> serverKeys = new CompletableFuture<>();
        CompletableFuture<SrtpKeys> clientKeys = new CompletableFuture<>();
        DtlsEndpoint[] ends = new DtlsEndpoint[2];
        ends[0] = new DtlsEndpoint("warm-up-client", certificate, List.of(certificate.fingerprint()), true, profiles,
                5000, (b, o, l) -> ends[1].receive(b, o, l), listener(clientKeys));
        ends[1] = new DtlsEndpoint("warm-up-server", certificate, List.of(certificate.fingerprint()), false, profiles,
                5000, (b, o, l) -> ends[0].receive(b, o, l), listener(serverKeys));
        try {
            ends[1].start();
            ends[0].start();
            SrtpKeys client = clientKeys.get(10, TimeUnit.SECONDS);
            SrtpKeys server = serverKeys.get(10, TimeUnit.SECONDS);
            for (SrtpProfile p : profiles) {
                // the handshake produced keys for one profile; resized, they exercise the others
                roundTrip(new SrtpKeys(p, resize(client.localKey(), p.keyLength()),
                        resize(client.localSalt(), p.saltLength()), resize(client.remoteKey(), p.keyLength()),
                        resize(client.remoteSalt(), p.saltLength())));
            }
            if (server.profile() != client.profile()) {
                throw new IllegalStateException("warm-up handshake disagreed on the SRTP profile");
            }
        } catch (Exception e) {
            throw new IllegalStateException("WebRTC warm-up failed: " + e.getMessage(), e);
        } finally {
            ends[0].close();
            ends[1].close();
        }
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
