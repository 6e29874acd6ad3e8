package org.duet.bench.detect;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.duet.bench.report.Figure;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.TestSignal;
import org.duet.mixer.echo.EchoControl;
import org.duet.mixer.echo.EchoDetector;
import org.duet.mixer.echo.EchoPathSpectrum;
import org.duet.mixer.echo.EchoPolicy;
import org.duet.mixer.echo.HowlSuppressor;

/**
 * {@code ./duet bench --only detectors}: what the echo and feedback detectors cost per singer, on
 * the capacity workload's signals, without the rest of the mixer. S singers (two per duet) each get
 * their own detectors, fed in 10 ms blocks interleaved singer by singer as a media loop feeds them:
 * the voice a singer sends (the bench's decoded singer A or B) and what we send them (the partner's
 * decoded voice, forwarded). The figure is thread CPU time per singer-second, the least of
 * {@code runs} runs (the machine is shared: the least is the one least disturbed), for the whole
 * {@link EchoControl} (as the mixer builds it: howl suppression, echo detection, echo path
 * spectrum with its analysis every 100 ms) and for each part alone.
 */
public final class DetectorCost {

    static final int BLOCK = 480;

    private DetectorCost() {
    }

    /** What one configuration does with one singer's 10 ms block. */
    private interface Part {
        void feed(float[] voice, float[] sent, int off, long position, long block);
    }

    public static List<Figure> run(EncodedLoop a, EncodedLoop b, int singers, int seconds, int runs) {
        float[] va = decoded(a);
        float[] vb = decoded(b);
        int len = Math.min(va.length, vb.length);
        List<Figure> out = new ArrayList<>();
        out.add(new Figure("detector_singers", singers, "singers"));
        String[] names = {"echo_control", "howl", "echo_detector", "echo_path"};
        for (String name : names) {
            double best = Double.MAX_VALUE;
            for (int r = 0; r < runs; r++) {
                best = Math.min(best, once(name, singers, seconds, va, vb, len));
            }
            out.add(new Figure(name + "_cpu_ms_per_singer_second", best, "ms"));
            System.err.printf(Locale.ROOT, "bench: detectors %s: %.3f ms CPU per singer-second (%d singers, %d s, least of %d)%n",
                    name, best, singers, seconds, runs);
        }
        return out;
    }

    private static Part part(String name) {
        switch (name) {
            case "echo_control" -> {
                EchoControl c = new EchoControl("s", EchoPolicy.ASK_HEADPHONES, true, new HowlSuppressor(3_000));
                return (voice, sent, off, position, block) -> {
                    c.onSent(sent, off, BLOCK, position);
                    c.process(copy(voice, off), BLOCK, position);
                    if (block % 10 == 9) {
                        c.pathSpectrum().analyse(c.detector().echo() ? c.detector().delayMs() : Double.NaN);
                    }
                };
            }
            case "howl" -> {
                HowlSuppressor h = new HowlSuppressor(3_000);
                return (voice, sent, off, position, block) -> {
                    h.onSent(sent, off, BLOCK);
                    h.process(copy(voice, off), 0, BLOCK);
                };
            }
            case "echo_detector" -> {
                EchoDetector d = new EchoDetector();
                return (voice, sent, off, position, block) -> {
                    d.onSent(sent, off, BLOCK, position);
                    d.onReturned(voice, off, BLOCK, position);
                };
            }
            case "echo_path" -> {
                EchoPathSpectrum p = new EchoPathSpectrum();
                return (voice, sent, off, position, block) -> {
                    p.onSent(sent, off, BLOCK, position);
                    p.onReturned(voice, off, BLOCK, position);
                    if (block % 10 == 9) {
                        p.analyse(Double.NaN);
                    }
                };
            }
            default -> throw new IllegalArgumentException(name);
        }
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);

    /** The voice block copied into a scratch block (the filters work in place, as on a decoded frame). */
    private static float[] copy(float[] voice, int off) {
        float[] s = SCRATCH.get();
        System.arraycopy(voice, off, s, 0, BLOCK);
        return s;
    }

    private static double once(String name, int singers, int seconds, float[] va, float[] vb, int len) {
        Part[] parts = new Part[singers];
        for (int s = 0; s < singers; s++) {
            parts[s] = part(name);
        }
        long blocks = seconds * 100L;
        int loopBlocks = len / BLOCK;
        // 2 s of warm-up (the JIT, and the detectors' first windows), then the measured blocks
        long warm = 200;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu = 0;
        for (long k = 0; k < warm + blocks; k++) {
            if (k == warm) {
                cpu = mx.getCurrentThreadCpuTime();
            }
            for (int s = 0; s < singers; s++) {
                // each singer starts at its own place in the loop (duets are staggered)
                int at = (int) ((k + 37L * s) % loopBlocks) * BLOCK;
                boolean isA = (s & 1) == 0;
                parts[s].feed(isA ? va : vb, isA ? vb : va, at, k * BLOCK, k);
            }
        }
        long spent = mx.getCurrentThreadCpuTime() - cpu;
        return spent / 1e6 / (singers * (double) seconds);
    }

    private static float[] decoded(EncodedLoop loop) {
        byte[][] packets = new byte[loop.frames()][];
        for (int f = 0; f < packets.length; f++) {
            packets[f] = loop.packet(f);
        }
        return EncodedLoop.decodeFrames(packets);
    }

    /** {@code java ... DetectorCost [singers] [seconds] [runs]}. */
    public static void main(String[] args) {
        int singers = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        EncodedLoop a = EncodedLoop.encode(TestSignal.singerA(500, 25));
        EncodedLoop b = EncodedLoop.encode(TestSignal.singerB(500, 25));
        for (Figure f : run(a, b, singers, seconds, runs)) {
            System.out.println(f.line());
        }
    }
}
