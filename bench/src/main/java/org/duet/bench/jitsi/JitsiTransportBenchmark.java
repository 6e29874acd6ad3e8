package org.duet.bench.jitsi;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.engine.MediaLoop;
import org.duet.mixer.jitsi.JitsiServer;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.room.DuetMixer;

/**
 * The mixer's share of the Jitsi export round trip, without a bridge: this process plays N bridges
 * (one WebSocket per meeting, the JDK's client, mediajson exactly as JVB 11146 writes it), each
 * exporting two singers (20 ms Opus frames in real time) and requesting both {@code .duet} mixes
 * and a {@code .duetmix}. Figures, one {@code name value unit} line each on stdout:
 * <ul>
 *   <li>{@code jitsi_transport_singer_added_p50_ms} / {@code _p99_ms}: from sending a singer's
 *       {@code media} event to receiving it back as the partner's {@code .duet} event (parse, media
 *       loop hand-off, forward without re-encode, JSON, send; both ways over loopback);</li>
 *   <li>{@code jitsi_transport_cpu_per_duet_pct}: CPU of the mixer's threads (media loops, Jetty,
 *       timer) per duet, in % of one core, with the listener mix encoded every tick.</li>
 * </ul>
 * What the bridge and the network add on top is the local stack's to measure (docs/protocol.md).
 *
 * <p>{@code java ... JitsiTransportBenchmark [meetings=4] [seconds=20]}
 */
public final class JitsiTransportBenchmark {

    private JitsiTransportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int meetings = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = 5;
        DuetConfig config = DuetConfig.withOverrides("duet.jitsi.port = 0\nduet.jitsi.secret = \"bench\"");
        DuetMixer mixer = DuetMixer.start(config);
        JitsiServer server = JitsiServer.start(mixer, config);
        HttpClient http = HttpClient.newHttpClient();
        List<Meeting> all = new ArrayList<>();
        for (int m = 0; m < meetings; m++) {
            all.add(new Meeting(http, URI.create(server.uri() + "/bench-" + m), m));
        }
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long cpuStart = -1;
        for (int f = 0; System.nanoTime() < end; f++) {
            long due = start + f * 20_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (cpuStart < 0 && System.nanoTime() >= measureFrom) {
                cpuStart = mixerCpuNanos(mixer);
                for (Meeting m : all) {
                    m.measuring = true;
                }
            }
            for (Meeting m : all) {
                m.sendFrame(f);
            }
        }
        long cpu = mixerCpuNanos(mixer) - cpuStart;
        Thread.sleep(300);
        List<Double> latencies = new ArrayList<>();
        for (Meeting m : all) {
            latencies.addAll(m.latenciesMs);
            m.close();
        }
        double[] l = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String workload = meetings + " meetings x 2 singers, 20 ms Opus frames, 2 x .duet + 1 x .duetmix requested, "
                + seconds + " s after " + warmup + " s warm-up, loopback";
        if (l.length == 0) {
            throw new IllegalStateException("no forwarded events came back");
        }
        System.out.printf("jitsi_transport_singer_added_p50_ms %.3f ms (%s; %d events)%n", l[l.length / 2], workload, l.length);
        System.out.printf("jitsi_transport_singer_added_p99_ms %.3f ms (%s)%n", l[(int) (l.length * 0.99)], workload);
        long sendDropped = 0;
        long received = 0;
        for (int m = 0; m < meetings; m++) {
            sendDropped += server.counters("bench-" + m).drops(org.duet.mixer.jitsi.JitsiDropReason.SEND_QUEUE_FULL);
        }
        for (Meeting m : all) {
            received += m.duetEvents;
        }
        System.err.printf("bench: %d .duet events received, %d matched, %d dropped for a full send queue%n",
                received, l.length, sendDropped);
        System.out.printf("jitsi_transport_cpu_per_duet_pct %.2f %% of one core (%s; media loops + Jetty + timer threads)%n",
                100.0 * cpu / TimeUnit.SECONDS.toNanos(seconds) / meetings, workload);
        server.close();
        mixer.close();
        System.exit(0);
    }

    /** CPU time of the mixer's own threads: media loops, the Jitsi endpoint's Jetty pool, its timer. */
    private static long mixerCpuNanos(DuetMixer mixer) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (MediaLoop l : mixer.loops()) {
            total += Math.max(0, threads.getThreadCpuTime(l.threadId()));
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("duet-jitsi")) {
                total += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return total;
    }

    /** One bridge connection: two singers out, their partners' .duet streams back. */
    private static final class Meeting implements WebSocket.Listener {
        private final WebSocket ws;
        private final String a;
        private final String b;
        private final byte[][] framesA;
        private final byte[][] framesB;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final List<Double> latenciesMs = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean measuring;
        volatile long duetEvents;
        private final StringBuilder partial = new StringBuilder();
        private int sequence;

        Meeting(HttpClient http, URI uri, int n) throws Exception {
            a = String.format("a%07x-a0", n);
            b = String.format("b%07x-a0", n);
            framesA = encodeSecond(440);
            framesB = encodeSecond(660);
            ws = http.newWebSocketBuilder().header("Authorization", "Bearer bench").buildAsync(uri, this)
                    .get(60, TimeUnit.SECONDS);
            send("{\"event\":\"sources\",\"exports\":[\"" + a + "\",\"" + b + "\"],\"requests\":[\"" + a + ".duet\",\""
                    + b + ".duet\",\"" + a + ".duetmix\"]}");
            for (String tag : new String[] {a, b}) {
                send("{\"event\":\"start\",\"sequenceNumber\":\"" + (++sequence) + "\",\"start\":{\"tag\":\"" + tag
                        + "\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2},"
                        + "\"customParameters\":{\"endpointId\":\"" + tag.substring(0, 8) + "\"}}}");
            }
        }

        private static byte[][] encodeSecond(double hz) {
            OpusEncoder e = OpusCodecs.newEncoder(new OpusSettings(1, 48_000, 5, true, 5, false, OpusApplication.AUDIO, 960));
            byte[][] frames = new byte[50][];
            short[] pcm = new short[960];
            byte[] out = new byte[1500];
            for (int f = 0; f < 50; f++) {
                for (int i = 0; i < 960; i++) {
                    pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * hz * (f * 960 + i) / 48_000.0));
                }
                frames[f] = Arrays.copyOf(out, e.encode(pcm, 0, 960, out, 0, out.length));
            }
            e.close();
            return frames;
        }

        void sendFrame(int f) {
            sendMedia(a, framesA[f % 50], f);
            sendMedia(b, framesB[f % 50], f);
        }

        private void sendMedia(String tag, byte[] frame, int f) {
            String payload = Base64.getEncoder().encodeToString(frame);
            sentAt.put(tag + payload, System.nanoTime());
            send("{\"event\":\"media\",\"sequenceNumber\":\"" + (++sequence) + "\",\"media\":{\"tag\":\"" + tag
                    + "\",\"chunk\":\"" + (f + 1) + "\",\"timestamp\":\"" + (f * 960L) + "\",\"payload\":\"" + payload
                    + "\",\"audioLevel\":30,\"vad\":true}}");
        }

        private synchronized void send(String text) {
            ws.sendText(text, true).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String msg = partial.toString();
                partial.setLength(0);
                // <a>.duet carries a's voice to b: match it with when a's frame went out
                String from = msg.contains("\"tag\":\"" + a + ".duet\"") ? a : msg.contains("\"tag\":\"" + b + ".duet\"") ? b : null;
                if (from != null) {
                    duetEvents++;
                }
                if (from != null && measuring) {
                    int p = msg.indexOf("\"payload\":\"") + 11;
                    Long sent = sentAt.get(from + msg.substring(p, msg.indexOf('"', p)));
                    if (sent != null) {
                        latenciesMs.add((now - sent) / 1e6);
                    }
                }
            }
            socket.request(1);
            return null;
        }

        void close() {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
