package org.duet.bench.jitter;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.duet.mixer.jitter.DecodedFrameSink;
import org.duet.mixer.jitter.FrameKind;
import org.duet.mixer.jitter.JitterBuffer;
import org.duet.mixer.jitter.JitterBufferConfig;
import org.duet.mixer.jitter.JitterStats;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/**
 * Runs the jitter buffer over simulated network paths (real Opus voice, 20 ms frames, a virtual
 * clock stepped every 2 ms) and prints {@code name value unit} lines: the target delay it settles
 * on, the late and loss figures, and the CPU time per packet of the buffer alone (with a decoder
 * that does nothing) and with libopus/Concentus decoding. Figures in docs/jitter-buffer.md come
 * from here: {@code java -cp ... org.duet.bench.jitter.JitterBufferSimulation}.
 */
public final class JitterBufferSimulation {

    private static final long MS = 1_000_000L;
    private static final int FRAMES = 3000; // 60 s

    private JitterBufferSimulation() {
    }

    private interface Path {
        /** Extra delay of packet i in ns, or -1 to drop it. */
        long delay(int i, Random rnd);
    }

    public static void main(String[] args) {
        byte[][] packets = encodeVoice();
        run("clean", packets, (i, r) -> 0);
        run("uniform20", packets, (i, r) -> (long) (r.nextDouble() * 20 * MS));
        run("uniform60", packets, (i, r) -> (long) (r.nextDouble() * 60 * MS));
        run("gauss10", packets, (i, r) -> (long) Math.max(0, (10 + 10 * r.nextGaussian()) * MS));
        run("spikes1pct100ms", packets, (i, r) -> r.nextDouble() < 0.01 ? 100 * MS
                : (long) (r.nextDouble() * 10 * MS));
        run("spikes0.3pct100ms", packets, (i, r) -> r.nextDouble() < 0.003 ? 100 * MS
                : (long) (r.nextDouble() * 10 * MS));
        run("loss5", packets, (i, r) -> r.nextDouble() < 0.05 ? -1 : 0);
        run("loss5_min25", JitterBufferConfig.defaults().withDelayRange(25, 300, 40), packets,
                (i, r) -> r.nextDouble() < 0.05 ? -1 : 0);
        run("loss20_uniform20", packets, (i, r) -> r.nextDouble() < 0.20 ? -1 : (long) (r.nextDouble() * 20 * MS));
        cpu(packets);
    }

    private static byte[][] encodeVoice() {
        short[] pcm = new short[FRAMES * 960];
        for (int i = 0; i < pcm.length; i++) {
            double t = i / 48_000.0;
            double env = 0.7 + 0.3 * Math.sin(2 * Math.PI * 4 * t);
            pcm[i] = (short) (env * (6000 * Math.sin(2 * Math.PI * 140 * t) + 3000 * Math.sin(2 * Math.PI * 700 * t)
                    + 1500 * Math.sin(2 * Math.PI * 1200 * t)));
        }
        byte[][] packets = new byte[FRAMES][];
        byte[] buf = new byte[1500];
        try (OpusEncoder enc = OpusCodecs.newEncoder(new OpusSettings(1, 32_000, 5, true, 10, false,
                OpusApplication.VOIP, 960), OpusBackend.AUTO)) {
            for (int f = 0; f < FRAMES; f++) {
                int n = enc.encode(pcm, f * 960, 960, buf, 0, buf.length);
                packets[f] = Arrays.copyOf(buf, Math.max(n, 1));
            }
        }
        return packets;
    }

    private static final class Sink implements DecodedFrameSink {
        long samples;

        @Override
        public void onFrame(long ts, short[] pcm, int samplesPerChannel, int channels, FrameKind kind) {
            samples += samplesPerChannel;
        }
    }

    private static void run(String name, byte[][] packets, Path path) {
        run(name, JitterBufferConfig.defaults(), packets, path);
    }

    private static void run(String name, JitterBufferConfig config, byte[][] packets, Path path) {
        Random rnd = new Random(1);
        long[] arrival = new long[FRAMES];
        Integer[] order = new Integer[FRAMES];
        int n = 0;
        for (int i = 0; i < FRAMES; i++) {
            long d = path.delay(i, rnd);
            if (d < 0) {
                continue;
            }
            arrival[i] = (i + 1) * 20 * MS + 20 * MS + d;
            order[n++] = i;
        }
        Integer[] sorted = Arrays.copyOf(order, n);
        Arrays.sort(sorted, (a, b) -> Long.compare(arrival[a], arrival[b]));
        try (OpusDecoder decoder = OpusCodecs.newDecoder(1, OpusBackend.AUTO)) {
            JitterBuffer jb = new JitterBuffer(config, decoder);
            Sink sink = new Sink();
            long lost = -1;
            long concealed = 0;
            long fec = 0;
            double[] targets = new double[FRAMES];
            int samples = 0;
            int next = 0;
            long lateAt10s = 0;
            long receivedAt10s = 0;
            long end = (FRAMES + 1) * 20 * MS + 400 * MS;
            for (long now = 0; now <= end; now += 2 * MS) {
                while (next < n && arrival[sorted[next]] <= now) {
                    int k = sorted[next++];
                    jb.insert(k, k * 960L, 1, arrival[k], packets[k], 0, packets[k].length);
                }
                jb.drainDue(now, sink);
                if (lost < 0 && sink.samples >= FRAMES * 960L) { // the stream is played: ignore the tail
                    lost = jb.stats().lost();
                    concealed = jb.stats().concealed();
                    fec = jb.stats().fecRecovered();
                }
                if (now == 10_000 * MS) {
                    lateAt10s = jb.stats().late();
                    receivedAt10s = jb.stats().received();
                }
                if (now > 10_000 * MS && now % (100 * MS) == 0) {
                    targets[samples++] = jb.stats().targetDelayMs();
                }
            }
            Arrays.sort(targets, 0, samples);
            JitterStats st = jb.stats();
            double mean = 0;
            for (int i = 0; i < samples; i++) {
                mean += targets[i] / samples;
            }
            print(name + ".target.mean", mean, "ms");
            print(name + ".target.p95", targets[(int) (samples * 0.95)], "ms");
            print(name + ".late.after10s", 100.0 * (st.late() - lateAt10s) / Math.max(1, st.received() - receivedAt10s),
                    "percent");
            print(name + ".lost", lost, "packets");
            print(name + ".concealed", concealed, "frames");
            print(name + ".fec", fec, "frames");
        }
    }

    /** A decoder that writes nothing: isolates the buffer's own cost. */
    private static final class NullDecoder implements OpusDecoder {
        @Override
        public int decode(byte[] p, int off, int len, short[] pcm, int pcmOff, int max) {
            return 960;
        }

        @Override
        public int decodeFec(byte[] p, int off, int len, short[] pcm, int pcmOff, int samples) {
            return samples;
        }

        @Override
        public int conceal(short[] pcm, int pcmOff, int samples) {
            return samples;
        }

        @Override
        public void reset() {
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public void close() {
        }
    }

    private static void cpu(byte[][] packets) {
        for (String which : new String[] {"null", "auto"}) {
            OpusDecoder decoder = which.equals("null") ? new NullDecoder() : OpusCodecs.newDecoder(1, OpusBackend.AUTO);
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 5; rep++) {
                JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults(), decoder);
                Sink sink = new Sink();
                long t0 = System.nanoTime();
                for (int i = 0; i < FRAMES; i++) {
                    long now = (i + 1) * 20 * MS + 20 * MS;
                    jb.insert(i, i * 960L, 1, now, packets[i], 0, packets[i].length);
                    jb.drainDue(now, sink);
                }
                best = Math.min(best, System.nanoTime() - t0);
            }
            String label = which.equals("null") ? "cpu.buffer_only"
                    : "cpu.with_" + decoder.getClass().getSimpleName();
            print(label, best / 1000.0 / FRAMES, "us_per_packet");
            decoder.close();
        }
    }

    private static void print(String name, double value, String unit) {
        System.out.printf(Locale.ROOT, "%s %.3f %s%n", name, value, unit);
    }
}
