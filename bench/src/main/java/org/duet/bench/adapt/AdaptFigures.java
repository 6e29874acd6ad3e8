package org.duet.bench.adapt;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.duet.bench.report.Figure;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.SingingSignal;
import org.duet.mixer.demo.FeedbackLoop;
import org.duet.mixer.echo.EchoDetector;
import org.duet.mixer.echo.HowlSuppressor;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.transport.UdpTransport;

/**
 * The adaptation and echo figures of {@code ./duet bench} (docs/adaptation.md):
 *
 * <ul>
 *   <li>{@code adapt_reaction_ms}, {@code concealed_rate_adaptive}, {@code concealed_rate_fixed}:
 *       {@link LossyPathScenario}, one listener's path clean -> 10 % loss, 100 +- 30 ms -> clean,
 *       on an adapting mixer and on one with adaptation off, loopback UDP, real Opus.</li>
 *   <li>{@code echo_detect_ms}: the echo detector on a synthetic singer whose microphone returns
 *       the Opus-coded mix at -10 dB after 40 ms plus their own singing, Opus-coded back.</li>
 *   <li>{@code howl_suppress_ms}: {@link FeedbackLoop}, a singing voice in a loop of gain 1.2 at
 *       2 kHz with a 50 ms round trip, simulated time: from the howl's onset (10 dB over the voice)
 *       to a 20 dB cut, the longest over ten voices (seeds 1..10); {@code howl_cpu_us_per_10ms}:
 *       CPU time of the suppressor per 10 ms of one input.</li>
 *   <li>{@code encoders_per_100_listeners}: 100 listeners on loopback whose Receiver Reports say
 *       0 %, 3 % and 12 % loss (three network classes), on one room with two singers.</li>
 * </ul>
 */
public final class AdaptFigures {

    private AdaptFigures() {
    }

    public static List<Figure> run() throws Exception {
        List<Figure> out = new ArrayList<>();
        LossyPathScenario.Result r = LossyPathScenario.run(10, 100, 30, 9);
        out.add(new Figure("adapt_reaction_ms", r.reactionMs(), "ms"));
        out.add(new Figure("adapt_fec_packet_ms", r.fecPacketMs(), "ms"));
        out.add(new Figure("concealed_rate_adaptive", r.concealedAdaptive(), "ratio"));
        out.add(new Figure("concealed_rate_fixed", r.concealedFixed(), "ratio"));
        out.add(new Figure("adapt_recovery_ms", r.recoveryMs(), "ms"));
        out.add(new Figure("echo_detect_ms", echoDetectMs(), "ms"));
        double worst = 0;
        for (long seed = 1; seed <= 10; seed++) {
            worst = Math.max(worst, FeedbackLoop.suppressMs(1.2, seed)); // NaN (never cut) stays NaN
            if (Double.isNaN(worst)) {
                break;
            }
        }
        out.add(new Figure("howl_suppress_ms", worst, "ms"));
        out.add(new Figure("howl_cpu_us_per_10ms", howlCpuMicros(), "us"));
        out.add(new Figure("encoders_per_100_listeners", encodersFor100Listeners(), "encoders"));
        return out;
    }

    /** CPU time of one input's howl suppressor per 10 ms block, over 20 s of singing after 2 s of warm-up. */
    static double howlCpuMicros() {
        float[] voice = SingingSignal.generate(48_000 * 22, 220, 0.4f, 3);
        HowlSuppressor h = new HowlSuppressor(3_000);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = 0;
        int blocks = 0;
        for (int at = 0; at + 480 <= voice.length; at += 480) {
            if (at == 48_000 * 2) {
                cpu = mx.getCurrentThreadCpuTime();
                blocks = 0;
            }
            h.process(voice, at, 480);
            blocks++;
        }
        return (mx.getCurrentThreadCpuTime() - cpu) / 1000.0 / blocks;
    }

    /** Audio time from the start until the detector reports the echo. */
    static double echoDetectMs() {
        int rate = 48_000;
        float[] mix = SingingSignal.generate(rate * 4, 330, 0.4f, 11);
        float[] own = SingingSignal.generate(rate * 4, 220, 0.4f, 12);
        float[] heard = codec(mix);
        float[] mic = own.clone();
        int delay = rate * 40 / 1000;
        for (int i = delay; i < mic.length; i++) {
            mic[i] += 0.316f * heard[i - delay];
        }
        float[] back = codec(mic);
        EchoDetector d = new EchoDetector();
        for (int at = 0; at + 480 <= back.length; at += 480) {
            d.onSent(mix, at, 480, at);
            d.onReturned(back, at, 480, at);
            if (d.echo()) {
                return (at + 480) * 1000.0 / rate;
            }
        }
        return Double.NaN;
    }

    private static float[] codec(float[] x) {
        int frame = 960;
        OpusSettings s = new OpusSettings(1, 64_000, 5, false, 0, false, OpusApplication.AUDIO, frame);
        try (OpusEncoder e = OpusCodecs.newEncoder(s); OpusDecoder d = OpusCodecs.newDecoder(1)) {
            float[] y = new float[x.length];
            short[] pcm = new short[frame];
            short[] pcmOut = new short[frame];
            byte[] packet = new byte[1500];
            for (int f = 0; f + frame <= x.length; f += frame) {
                for (int i = 0; i < frame; i++) {
                    pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(x[f + i] * 32767)));
                }
                int len = e.encode(pcm, 0, frame, packet, 0, packet.length);
                int n = d.decode(packet, 0, len, pcmOut, 0, frame);
                for (int i = 0; i < n; i++) {
                    y[f + i] = pcmOut[i] / 32768f;
                }
            }
            return y;
        }
    }

    /** Encoders running for the listener mix once 100 listeners in three loss classes have reported. */
    static double encodersFor100Listeners() throws Exception {
        int[] fractionLost = {0, 8, 31}; // 0 %, 3 %, 12 % in 1/256
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RtpPeer a = new RtpPeer("a", 111); RtpPeer b = new RtpPeer("b", 111)) {
            Room room = mixer.openRoom("classes");
            joinSinger(room, "a", a);
            joinSinger(room, "b", b);
            List<DatagramChannel> listeners = new ArrayList<>();
            List<InetSocketAddress> mixerSides = new ArrayList<>();
            Participant any = null;
            try {
                for (int i = 0; i < 100; i++) {
                    DatagramChannel ch = DatagramChannel.open();
                    ch.bind(new InetSocketAddress("127.0.0.1", 0));
                    ch.configureBlocking(false);
                    UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0),
                            (InetSocketAddress) ch.getLocalAddress());
                    any = room.join("l" + i, Role.LISTENER, t, MediaFormat.opusDefaults());
                    listeners.add(ch);
                    mixerSides.add(t.localAddress());
                }
                long start = System.nanoTime() + 50_000_000L;
                a.startSending(SingingSignal.generate(48_000 * 8, 220, 0.4f, 1), start);
                b.startSending(SingingSignal.generate(48_000 * 8, 330, 0.3f, 2), start);
                ByteBuffer in = ByteBuffer.allocate(2048);
                ByteBuffer rr = ByteBuffer.allocate(128);
                RtpPacket rtp = new RtpPacket();
                RtcpWriter writer = new RtcpWriter();
                byte[] report = new byte[128];
                long[] ssrc = new long[100];
                long deadline = System.nanoTime() + 6_000_000_000L;
                long nextReport = System.nanoTime() + 500_000_000L;
                for (int round = 0; round < 10_000 && System.nanoTime() < deadline; round++) {
                    for (int i = 0; i < 100; i++) {
                        for (int k = 0; k < 32; k++) {
                            in.clear();
                            if (listeners.get(i).receive(in) == null) {
                                break;
                            }
                            if (rtp.parse(in.array(), 0, in.position()) == RtpDropReason.NONE) {
                                ssrc[i] = rtp.ssrc();
                            }
                        }
                    }
                    if (System.nanoTime() >= nextReport) {
                        nextReport += 500_000_000L;
                        for (int i = 0; i < 100; i++) {
                            if (ssrc[i] == 0) {
                                continue;
                            }
                            writer.clearReportBlocks();
                            writer.addReportBlock(ssrc[i], fractionLost[i % 3], 0, 0, 48, 0, 0);
                            int n = writer.writeReceiverReport(report, 0, 1000 + i);
                            rr.clear();
                            rr.put(report, 0, n).flip();
                            listeners.get(i).send(rr, mixerSides.get(i));
                        }
                    }
                    Thread.sleep(5);
                }
                return any.network().sharedEncoders();
            } finally {
                for (DatagramChannel ch : listeners) {
                    ch.close();
                }
            }
        }
    }

    private static void joinSinger(Room room, String id, RtpPeer peer) throws Exception {
        UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), peer.localAddress());
        room.join(id, Role.singer(id), t, MediaFormat.opusDefaults());
        peer.connect(t.localAddress());
        peer.startReceiving();
    }
}
