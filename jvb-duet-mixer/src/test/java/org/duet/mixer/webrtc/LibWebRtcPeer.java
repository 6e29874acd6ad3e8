package org.duet.mixer.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real libwebrtc peer (webrtc-java 0.14.0) for tests, in one of two roles:
 * <ul>
 * <li>a singer: sendrecv, sending a sine tone pushed through a {@link CustomAudioSource}. Its
 *     factory uses the dummy audio layer, so nothing but the pushed tone feeds the send stream (a
 *     recording device feeding it too would trip libwebrtc's race checker and abort the JVM);</li>
 * <li>a listener: recvonly, with the headless audio module running playout so received audio is
 *     decoded and reaches a sink, where the test records the PCM.</li>
 * </ul>
 * Network: libwebrtc skips loopback interfaces, so adapter enumeration is disabled and it uses a
 * socket bound to the wildcard address; its checks to Duet's 127.0.0.1 candidate then leave from
 * 127.0.0.1, and all traffic stays on loopback.
 */
final class LibWebRtcPeer implements AutoCloseable {

    private static PeerConnectionFactory singerFactory;
    private static PeerConnectionFactory listenerFactory;
    private static HeadlessAudioDeviceModule listenerAudio;
    private static boolean playoutStarted;

    private final boolean singer;
    private final RTCPeerConnection pc;
    private final CustomAudioSource source;
    private final AudioTrack track;
    final List<RTCPeerConnectionState> states = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final short[] received = new short[48000 * 20];
    private int receivedSamples;
    private volatile Thread toneThread;
    private volatile boolean toneRunning;

    private static synchronized PeerConnectionFactory factory(boolean singer) {
        if (singer) {
            if (singerFactory == null) {
                singerFactory = new PeerConnectionFactory(new AudioDeviceModule(AudioLayer.kDummyAudio));
            }
            return singerFactory;
        }
        if (listenerFactory == null) {
            listenerAudio = new HeadlessAudioDeviceModule();
            listenerFactory = new PeerConnectionFactory(listenerAudio);
        }
        return listenerFactory;
    }

    static LibWebRtcPeer singer() {
        return new LibWebRtcPeer(true);
    }

    static LibWebRtcPeer listener() {
        return new LibWebRtcPeer(false);
    }

    /** A singer whose offer also has a data channel m-section (which Duet rejects). */
    static LibWebRtcPeer singerWithDataChannel() {
        LibWebRtcPeer p = new LibWebRtcPeer(true);
        p.pc.createDataChannel("chat", new dev.onvoid.webrtc.RTCDataChannelInit());
        return p;
    }

    private LibWebRtcPeer(boolean singer) {
        this.singer = singer;
        RTCConfiguration config = new RTCConfiguration();
        PortAllocatorConfig ports = new PortAllocatorConfig();
        ports.setDisableTcp(true);
        ports.setDisableAdapterEnumeration(true);
        ports.setDisableDefaultLocalCandidate(true);
        config.portAllocatorConfig = ports;
        PeerConnectionFactory f = factory(singer);
        pc = f.createPeerConnection(config, new PeerConnectionObserver() {
            @Override
            public void onIceCandidate(RTCIceCandidate candidate) {
                // Duet is ICE-lite: it needs none of our candidates
            }

            @Override
            public void onConnectionChange(RTCPeerConnectionState state) {
                states.add(state);
                if (state == RTCPeerConnectionState.CONNECTED) {
                    connected.complete(null);
                } else if (state == RTCPeerConnectionState.FAILED) {
                    connected.completeExceptionally(new IllegalStateException("libwebrtc peer connection failed"));
                }
            }

            @Override
            public void onTrack(RTCRtpTransceiver transceiver) {
                MediaStreamTrack t = transceiver.getReceiver().getTrack();
                if (t instanceof AudioTrack audio) {
                    audio.addSink(sink());
                }
            }
        });
        if (singer) {
            source = new CustomAudioSource();
            track = f.createAudioTrack("tone", source);
            pc.addTrack(track, List.of("peer-stream"));
        } else {
            source = null;
            track = null;
            RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
            init.direction = RTCRtpTransceiverDirection.RECV_ONLY;
            pc.addTransceiver(f.createAudioTrack("unused", f.createAudioSource(new AudioOptions())), init);
        }
    }

    private AudioTrackSink sink() {
        return (data, bitsPerSample, sampleRate, channels, frames) -> {
            if (bitsPerSample != 16 || sampleRate != 48000) {
                return;
            }
            synchronized (received) {
                for (int i = 0; i < frames && receivedSamples < received.length; i++) {
                    int at = 2 * i * channels; // first channel
                    received[receivedSamples++] = (short) ((data[at] & 0xFF) | (data[at + 1] << 8));
                }
            }
        };
    }

    /** Mono 48 kHz PCM the listener's sink got so far (first channel). */
    short[] receivedPcm() {
        synchronized (received) {
            return java.util.Arrays.copyOf(received, receivedSamples);
        }
    }

    String createOffer() throws Exception {
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
        RTCSessionDescription d = offer.get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> set = new CompletableFuture<>();
        pc.setLocalDescription(d, observer(set));
        set.get(10, TimeUnit.SECONDS);
        return d.sdp;
    }

    void setAnswer(String sdp) throws Exception {
        CompletableFuture<Void> set = new CompletableFuture<>();
        pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp), observer(set));
        set.get(10, TimeUnit.SECONDS);
        if (!singer) {
            startPlayout();
        }
    }

    /** Headless playout pulls (and so decodes) received audio; start it once a receive stream exists. */
    private static synchronized void startPlayout() {
        if (!playoutStarted) {
            listenerAudio.initPlayout();
            listenerAudio.startPlayout();
            playoutStarted = true;
        }
    }

    void addRemoteCandidate(String mid, String candidate) {
        pc.addIceCandidate(new RTCIceCandidate(mid, 0, candidate));
    }

    /** Pushes a sine tone in real time, 10 ms at a time from one thread, until {@link #close}. */
    void startTone(double frequencyHz, double amplitude) {
        if (!singer) {
            throw new IllegalStateException("only a singer sends");
        }
        toneRunning = true;
        toneThread = new Thread(() -> {
            byte[] frame = new byte[480 * 2];
            long n = 0;
            long next = System.nanoTime();
            long deadline = next + TimeUnit.SECONDS.toNanos(120); // bounded
            while (toneRunning && System.nanoTime() < deadline) {
                for (int i = 0; i < 480; i++, n++) {
                    short s = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * frequencyHz * n / 48000.0));
                    frame[2 * i] = (byte) s;
                    frame[2 * i + 1] = (byte) (s >> 8);
                }
                source.pushAudio(frame, 16, 48000, 1, 480);
                next += 10_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "libwebrtc-peer-tone");
        toneThread.setDaemon(true);
        toneThread.start();
    }

    /** Stats of the given type ("inbound-rtp", "outbound-rtp", "transport", ...). */
    List<Map<String, Object>> stats(String type) throws Exception {
        CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
        pc.getStats(report::complete);
        List<Map<String, Object>> out = new ArrayList<>();
        for (RTCStats s : report.get(10, TimeUnit.SECONDS).getStats().values()) {
            if (s.getType().toString().replace('_', '-').equalsIgnoreCase(type)) {
                out.add(s.getAttributes());
            }
        }
        return out;
    }

    /** A numeric stat of the first entry of that type, 0 when absent. */
    double stat(String type, String name) throws Exception {
        for (Map<String, Object> m : stats(type)) {
            Object v = m.get(name);
            if (v instanceof Number num) {
                return num.doubleValue();
            }
        }
        return 0;
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> f) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    @Override
    public void close() {
        toneRunning = false;
        Thread t = toneThread;
        if (t != null) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pc.close();
        // the track and source stay referenced by libwebrtc's sender; they go with the factory
        if (source != null) {
            source.dispose();
        }
    }
}
