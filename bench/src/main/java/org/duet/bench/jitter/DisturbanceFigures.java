package org.duet.bench.jitter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.duet.bench.report.Figure;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.TestSignal;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.input.VoiceInput;
import org.duet.mixer.jitter.JitterStats;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.output.MixOutput;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpWriter;
import org.duet.mixer.session.MediaFactory;

/**
 * The listener mix under input jitter and a scripted disturbance ({@code ./duet bench --only
 * disturbance}, docs/jitter-buffer.md, "Under load"). The engine's own parts as the mixer builds
 * them from its defaults ({@link MediaFactory}: two voices' jitter buffers, Opus decoders and
 * timelines, the listener mix with its playout cursor) run on a simulated clock, so the figures
 * judge the rules, not how busy this machine is while they are measured.
 *
 * <p>Script: two singers send 20 ms Opus frames (the bench's test signals) for 40 s. Every packet
 * takes 10 ms plus uniform 0-40 ms (20 +- 20 ms jitter, packets reorder). From 12 s to 14 s singer
 * A's path starves the way a loaded machine does: four times, every 500 ms, nothing arrives for
 * 150 ms and then everything held arrives at once. From 24 s to 25 s singer B's path is congested:
 * 10 ms plus uniform 0-150 ms. No packet is lost: every concealed frame comes from lateness.
 *
 * <ul>
 *   <li>{@code max_listener_delay_ms}: the largest listener-mix delay (capture to mix read) while
 *       only the 20 +- 20 ms jitter acts (from 4 s, outside the disturbance and its recovery).</li>
 *   <li>{@code max_listener_delay_disturbed_ms}: the largest over the whole run.</li>
 *   <li>{@code listener_delay_floor_ms}: its median from 4 s to 12 s.</li>
 *   <li>{@code listener_delay_recovery_s}: from the end of a disturbance until the delay is back
 *       within 10 ms of that floor for good (before the next one), the slower of the two.</li>
 *   <li>{@code late_only_max_concealed_run_frames}: the longest run of concealed frames of either
 *       voice outside the disturbances; {@code disturbed_max_concealed_run_frames} inside them.</li>
 *   <li>{@code disturbance_run_concealed_ratio}: concealed frames over all frames of both voices.</li>
 * </ul>
 */
public final class DisturbanceFigures {

    static final long MS = 1_000_000L;
    static final int FRAME = 960;
    static final long FRAME_NANOS = 20 * MS;
    static final long RUN_NANOS = 40_000 * MS;
    // (recovery after the congestion is judged until the end of the run: 15 s)
    static final long DISTURB_FROM = 12_000 * MS;
    static final long DISTURB_TO = 14_000 * MS;
    static final long STALL_EVERY = 500 * MS;
    static final long STALL = 150 * MS;
    static final long SETTLED_FROM = 4_000 * MS;
    /** Second disturbance: singer B's path jitters 0-150 ms for one second (congestion, not a stall). */
    static final long CONGESTED_FROM = 24_000 * MS;
    static final long CONGESTED_TO = 25_000 * MS;
    static final long TICK = 10 * MS;

    /** What one run measured. */
    public record Result(double maxJitterOnlyMs, double maxMs, double floorMs, double recoveryS,
                         int lateOnlyMaxConcealRun, int disturbedMaxConcealRun, double targetPeakMs,
                         double concealedRatio, double[] delayMsPerTick) {
    }

    private DisturbanceFigures() {
    }

    /** Prints the figures; with {@code trace}, also the delay every 100 ms to stderr. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("trace")) {
            double[] d = simulate(DuetConfig.withOverrides(""), 7).delayMsPerTick();
            for (int t = 0; t < d.length; t += 10) {
                System.err.printf(java.util.Locale.ROOT, "%.1f %.1f%n", (t + 1) * TICK / 1e9, d[t]);
            }
        }
        for (Figure f : run()) {
            System.out.println(f.line());
        }
    }

    public static List<Figure> run() {
        Result r = simulate(DuetConfig.withOverrides(""), 7);
        List<Figure> out = new ArrayList<>();
        out.add(new Figure("max_listener_delay_ms", r.maxJitterOnlyMs(), "ms"));
        out.add(new Figure("max_listener_delay_disturbed_ms", r.maxMs(), "ms"));
        out.add(new Figure("listener_delay_floor_ms", r.floorMs(), "ms"));
        out.add(new Figure("listener_delay_recovery_s", r.recoveryS(), "s"));
        out.add(new Figure("late_only_max_concealed_run_frames", r.lateOnlyMaxConcealRun(), "frames"));
        out.add(new Figure("disturbed_max_concealed_run_frames", r.disturbedMaxConcealRun(), "frames"));
        out.add(new Figure("disturbed_jitter_target_peak_ms", r.targetPeakMs(), "ms"));
        out.add(new Figure("disturbance_run_concealed_ratio", r.concealedRatio(), "ratio"));
        return out;
    }

    /** One scripted run on {@code config}'s engine defaults; {@code seed} draws the jitter. */
    public static Result simulate(DuetConfig config, long seed) {
        ServerClock clock = new ServerClock(0);
        MediaFactory factory = new MediaFactory(config, clock);
        EncodedLoop[] loops = {EncodedLoop.encode(TestSignal.singerA(500, 25)), EncodedLoop.encode(TestSignal.singerB(500, 25))};
        VoiceInput[] voices = {factory.newVoiceInput(MediaFormat.opusDefaults()), factory.newVoiceInput(MediaFormat.opusDefaults())};
        MixOutput listener = factory.newOutput("listener", null);
        listener.setSources(new MixSource[] {voices[0], voices[1]}, new float[] {1f, 1f}, 2);
        listener.setTap((pcm, samples, position) -> { }); // mix although nobody is connected

        int frames = (int) (RUN_NANOS / FRAME_NANOS);
        Random random = new Random(seed);
        // arrivals[v][k]: when frame k of voice v reaches the mixer
        long[][] arrivals = new long[2][frames];
        for (int v = 0; v < 2; v++) {
            long phase = v * 7 * MS; // the singers' frames do not line up
            for (int k = 0; k < frames; k++) {
                long sent = phase + (k + 1) * FRAME_NANOS; // after its last sample was captured
                boolean congested = v == 1 && sent >= CONGESTED_FROM && sent < CONGESTED_TO;
                long at = sent + 10 * MS + (long) (random.nextDouble() * (congested ? 150 : 40) * MS);
                if (v == 0) {
                    at = starved(at);
                }
                arrivals[v][k] = at;
            }
        }
        Integer[][] order = new Integer[2][];
        for (int v = 0; v < 2; v++) {
            final long[] a = arrivals[v];
            order[v] = new Integer[frames];
            for (int k = 0; k < frames; k++) {
                order[v][k] = k;
            }
            Arrays.sort(order[v], (x, y) -> Long.compare(a[x], a[y]));
        }

        RtpWriter writer = new RtpWriter();
        RtpPacket packet = new RtpPacket();
        byte[] buf = new byte[1500];
        int[] next = new int[2];
        long[] lastConcealed = {0, 0};
        long[] lastNormal = {0, 0};
        int[] run = new int[2];
        int lateOnlyMaxRun = 0;
        int disturbedMaxRun = 0;
        double targetPeak = 0;
        int ticks = (int) (RUN_NANOS / TICK);
        double[] delay = new double[ticks];
        for (int t = 0; t < ticks; t++) {
            long now = (t + 1) * TICK;
            for (int v = 0; v < 2; v++) {
                while (next[v] < frames && arrivals[v][order[v][next[v]]] <= now) {
                    int k = order[v][next[v]++];
                    byte[] payload = loops[v].packet(k);
                    int header = writer.reset().payloadType(111).sequenceNumber(k & 0xFFFF)
                            .timestamp((1000L + (long) k * FRAME) & 0xFFFFFFFFL).ssrc(0x1000 + v).write(buf, 0);
                    System.arraycopy(payload, 0, buf, header, payload.length);
                    packet.parse(buf, 0, header + payload.length);
                    voices[v].onRtp(packet, arrivals[v][k]);
                }
            }
            for (VoiceInput voice : voices) {
                voice.drain(now);
            }
            listener.tick(now);
            delay[t] = (clock.toSamples(now) - listener.lastReadPosition()) / 48.0;
            boolean disturbed = now >= DISTURB_FROM && now < DISTURB_TO + 3_000 * MS
                    || now >= CONGESTED_FROM && now < CONGESTED_TO + 3_000 * MS;
            for (int v = 0; v < 2; v++) {
                JitterStats js = voices[v].jitterBuffer().stats();
                long concealed = js.concealed();
                long normal = js.normalFrames();
                if (normal > lastNormal[v]) {
                    run[v] = 0; // a decoded frame ends a run (within a tick: counted as if it came first)
                }
                run[v] += (int) (concealed - lastConcealed[v]);
                lastConcealed[v] = concealed;
                lastNormal[v] = normal;
                if (now >= SETTLED_FROM) {
                    if (disturbed) {
                        disturbedMaxRun = Math.max(disturbedMaxRun, run[v]);
                    } else {
                        lateOnlyMaxRun = Math.max(lateOnlyMaxRun, run[v]);
                    }
                }
                if (disturbed) {
                    targetPeak = Math.max(targetPeak, js.targetDelayMs());
                }
            }
        }
        long concealed = 0;
        long written = 0;
        for (VoiceInput v : voices) {
            concealed += v.jitterBuffer().stats().concealed();
            written += v.framesWritten();
        }
        return summarize(delay, lateOnlyMaxRun, disturbedMaxRun, targetPeak, concealed / (double) written);
    }

    /** Singer A's path during the disturbance: what would arrive in a stall arrives when it ends. */
    static long starved(long at) {
        if (at < DISTURB_FROM || at >= DISTURB_TO) {
            return at;
        }
        long into = (at - DISTURB_FROM) % STALL_EVERY;
        return into < STALL ? at - into + STALL : at;
    }

    private static Result summarize(double[] delay, int lateOnlyMaxRun, int disturbedMaxRun, double targetPeak,
                                    double concealedRatio) {
        int settled = (int) (SETTLED_FROM / TICK);
        int from = (int) (DISTURB_FROM / TICK);
        double floor = median(Arrays.copyOfRange(delay, settled, from));
        int back1 = backToFloor(delay, (int) (DISTURB_TO / TICK), (int) (CONGESTED_FROM / TICK), floor);
        int back2 = backToFloor(delay, (int) (CONGESTED_TO / TICK), delay.length, floor);
        double recovery1 = (back1 - DISTURB_TO / TICK) * TICK / 1e9;
        double recovery2 = (back2 - CONGESTED_TO / TICK) * TICK / 1e9;
        double maxJitterOnly = 0;
        double max = 0;
        for (int t = settled; t < delay.length; t++) {
            max = Math.max(max, delay[t]);
            boolean quiet = t < from || t >= back1 && t < CONGESTED_FROM / TICK || t >= back2;
            if (quiet) {
                maxJitterOnly = Math.max(maxJitterOnly, delay[t]);
            }
        }
        return new Result(maxJitterOnly, max, floor, Math.max(recovery1, recovery2), lateOnlyMaxRun, disturbedMaxRun,
                targetPeak, concealedRatio, delay);
    }

    /** The first tick from which the delay stays within 10 ms of the floor until {@code end}; end if never. */
    private static int backToFloor(double[] delay, int from, int end, double floor) {
        int back = end;
        for (int t = end - 1; t >= from; t--) {
            if (delay[t] > floor + 10) {
                break;
            }
            back = t;
        }
        return back;
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }
}
