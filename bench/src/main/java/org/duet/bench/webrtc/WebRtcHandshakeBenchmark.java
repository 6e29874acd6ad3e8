package org.duet.bench.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.webrtc.WebRtcConfig;
import org.duet.mixer.webrtc.WebRtcEndpointFactory;
import org.duet.mixer.webrtc.WebRtcSession;
import org.duet.mixer.webrtc.sdp.MediaDirection;

/**
 * Time from Duet's answer to the first decrypted RTP packet (ICE-lite check, nomination, DTLS
 * handshake, SRTP keys, first media), over N sessions on loopback against a real libwebrtc peer
 * (webrtc-java) that sends audio. Prints {@code webrtc_handshake_ms_p50} and {@code _p90}, {@code _max}.
 *
 * <p>Usage: {@code WebRtcHandshakeBenchmark [sessions, default 20]}
 */
public final class WebRtcHandshakeBenchmark {

    private WebRtcHandshakeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        WebRtcEndpointFactory endpoints = new WebRtcEndpointFactory(WebRtcConfig.defaults());
        // the dummy audio layer: only the pushed audio feeds the send stream
        PeerConnectionFactory factory = new PeerConnectionFactory(new AudioDeviceModule(AudioLayer.kDummyAudio));
        CustomAudioSource source = new CustomAudioSource();
        AudioTrack track = factory.createAudioTrack("bench", source);
        Thread pusher = startSilence(source);
        double[] millis = new double[sessions];
        try {
            for (int i = 0; i < sessions; i++) {
                millis[i] = oneSession(endpoints, factory, track);
                if (Boolean.getBoolean("bench.verbose")) {
                    System.err.printf(Locale.ROOT, "session %d: %.1f ms%n", i, millis[i]);
                }
            }
        } finally {
            pusher.interrupt();
            pusher.join(1000);
        }
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "webrtc_handshake_ms_p50 %.1f ms%n", millis[(sessions - 1) / 2]);
        System.out.printf(Locale.ROOT, "webrtc_handshake_ms_p90 %.1f ms%n", millis[(int) Math.ceil(0.9 * sessions) - 1]);
        System.out.printf(Locale.ROOT, "webrtc_handshake_ms_max %.1f ms%n", millis[sessions - 1]);
        System.exit(0); // libwebrtc's native threads do not end with main
    }

    private static double oneSession(WebRtcEndpointFactory endpoints, PeerConnectionFactory factory, AudioTrack track)
            throws Exception {
        RTCConfiguration config = new RTCConfiguration();
        PortAllocatorConfig ports = new PortAllocatorConfig();
        ports.setDisableTcp(true);
        ports.setDisableAdapterEnumeration(true); // wildcard socket: its checks to 127.0.0.1 stay on loopback
        ports.setDisableDefaultLocalCandidate(true);
        config.portAllocatorConfig = ports;
        RTCPeerConnection pc = factory.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
                // Duet is ICE-lite and needs none
            }
        });
        pc.addTrack(track, List.of("bench"));
        try {
            CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
            pc.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
                @Override
                public void onSuccess(RTCSessionDescription d) {
                    offer.complete(d);
                }

                @Override
                public void onFailure(String error) {
                    offer.completeExceptionally(new IllegalStateException(error));
                }
            });
            RTCSessionDescription o = offer.get(10, TimeUnit.SECONDS);
            set(pc, o, true);
            try (WebRtcSession session = endpoints.create(o.sdp, MediaDirection.SENDRECV)) {
                CountDownLatch firstMedia = new CountDownLatch(1);
                session.transport().setReceiver((b, off, len, rtcp, t) -> {
                    if (!rtcp) {
                        firstMedia.countDown();
                    }
                });
                long start = System.nanoTime();
                set(pc, new RTCSessionDescription(RTCSdpType.ANSWER, session.answerSdp()), false);
                if (!firstMedia.await(15, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no media within 15 s: " + session.stats());
                }
                return (System.nanoTime() - start) / 1e6;
            }
        } finally {
            pc.close();
        }
    }

    private static void set(RTCPeerConnection pc, RTCSessionDescription d, boolean local) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        SetSessionDescriptionObserver observer = new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
        if (local) {
            pc.setLocalDescription(d, observer);
        } else {
            pc.setRemoteDescription(d, observer);
        }
        done.get(10, TimeUnit.SECONDS);
    }

    /** 10 ms of low noise every 10 ms from one thread, so the peer always has audio to send. */
    private static Thread startSilence(CustomAudioSource source) {
        Thread t = new Thread(() -> {
            byte[] frame = new byte[960];
            java.util.Random random = new java.util.Random(5);
            long next = System.nanoTime();
            long deadline = next + TimeUnit.MINUTES.toNanos(10); // bounded
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
                for (int i = 0; i < frame.length; i += 2) {
                    frame[i] = (byte) (random.nextInt(64) - 32);
                    frame[i + 1] = 0;
                }
                source.pushAudio(frame, 16, 48000, 1, 480);
                next += 10_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "bench-audio");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
