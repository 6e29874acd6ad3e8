package org.duet.bench.duet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.duet.bench.analysis.Percentiles;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.report.Figure;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.workload.RunResult;
import org.duet.bench.workload.Workload;
import org.duet.bench.workload.WorkloadSpec;

/**
 * Duet's own figures ({@code ./duet bench}): D duets with a backing track against the mixer
 * process pinned to one core; click latency, mix tick, and the largest D whose tick keeps its
 * deadline.
 */
public final class DuetOwnFigures {

    /** Passing a ramp step: fewer than 0.1 % of ticks late and p99 tick time under the tick. */
    static final double MAX_MISS_RATIO = 0.001;

    private DuetOwnFigures() {
    }

    public interface Starter {
        /** The mixer with the backing track in every room (the own-figures workload). */
        default DuetServer start() throws Exception {
            return start(true, false);
        }

        /**
         * @param withBacking a backing track in every room (so every output mixes), else none (the
         *                    singers' outputs forward the other voice, the listener mix mixes)
         * @param allCores    one media loop per core and no pinning (the whole machine), else one
         *                    loop pinned to the bench's server core
         */
        default DuetServer start(boolean withBacking, boolean allCores) throws Exception {
            return start(withBacking, allCores, Map.of());
        }

        /** @param extraProperties more -D settings for the mixer process */
        DuetServer start(boolean withBacking, boolean allCores, Map<String, String> extraProperties) throws Exception;
    }

    /** @param loadDuets the fixed load of the CPU-time capacity figures ({@link org.duet.bench.capacity.CpuCapacity}) */
    public static List<Figure> run(Starter starter, java.nio.file.Path backing, boolean latencyOnly, int duets, int warmup, int seconds, int loadDuets, boolean ramp,
                                   double tickMicros, int portBase, EncodedLoop a, EncodedLoop b) throws Exception {
        List<Figure> out = new ArrayList<>();
        try (DuetServer server = starter.start()) {
            WorkloadSpec spec = new WorkloadSpec(duets, warmup, seconds, Math.min(duets, 4), 0, NetworkProfile.NONE,
                    portBase);
            RunResult r = Workload.run(server, spec, a, b);
            DuetServer.TickWindow w = server.tickWindow();
            double[] delays = ServerDelays.of(server.windowEndStats()); // what the mixer itself reports
            out.add(new Figure("added_latency_p50_ms", Percentiles.of(r.latenciesMs(), 50), "ms"));
            out.add(new Figure("added_latency_p95_ms", Percentiles.of(r.latenciesMs(), 95), "ms"));
            // a singer's mix-minus that has to mix: the other voice plus the backing track
            out.add(new Figure("mixminus_added_latency_p50_ms", percentile(r.mixMinusLatenciesMs(), 50), "ms"));
            out.add(new Figure("mixminus_added_latency_p95_ms", percentile(r.mixMinusLatenciesMs(), 95), "ms"));
            out.add(new Figure("latency_clicks_measured", r.latenciesMs().size(), "clicks"));
            out.add(new Figure("mix_tick_p99_us", w == null ? Double.NaN : w.p99Micros(), "us"));
            out.add(new Figure("mix_tick_p50_us", w == null ? Double.NaN : w.p50Micros(), "us"));
            out.add(new Figure("tick_deadline_miss_ratio", w == null ? Double.NaN : w.missRatio(), "ratio"));
            out.add(new Figure("cpu_per_duet", r.cpuPerDuet(), "cores"));
            out.add(new Figure("concealed_frame_rate", r.concealedRate(), "ratio"));
            out.add(new Figure("mixer_reported_concealed_rate", r.reportedConcealedRate(), "ratio"));
            out.add(new Figure("own_voice_residual", r.ownVoiceResidualDb(), "dB"));
            out.add(new Figure("output_timing_p99_ms", r.timing().p99AbsMs(), "ms"));
            out.add(new Figure("bench_late_sends", r.benchLateSends(), "packets"));
            out.add(new Figure("listener_mix_delay_ms", delays[0], "ms"));
            out.add(new Figure("singer_jitter_target_ms", delays[1], "ms"));
        }
        try (DuetServer server = starter.start(false, false)) {
            // no backing track: each singer's mix is the other voice alone, forwarded untouched
            WorkloadSpec spec = new WorkloadSpec(duets, warmup, Math.max(4, seconds / 2), Math.min(duets, 4), 0,
                    NetworkProfile.NONE, portBase);
            RunResult r = Workload.run(server, spec, a, b);
            out.add(new Figure("forward_added_latency_p50_ms", percentile(r.mixMinusLatenciesMs(), 50), "ms"));
            out.add(new Figure("forward_added_latency_p95_ms", percentile(r.mixMinusLatenciesMs(), 95), "ms"));
            out.add(new Figure("added_latency_p50_ms_no_backing", percentile(r.latenciesMs(), 50), "ms"));
        }
        if (!latencyOnly) {
            out.addAll(allocation(duets, warmup, Math.min(seconds, 8), portBase, backing, a, b));
        }
        if (ramp && !latencyOnly) { // capacity from CPU time at a fixed load (the deadline ramp: --only ramp)
            out.addAll(org.duet.bench.capacity.CpuCapacity.run(starter, loadDuets, warmup, Math.min(seconds, 20), portBase,
                    a, b));
        }
        return out;
    }

    /**
     * The deadline ramps ({@code ./duet bench --only ramp}): a listener mix per duet (singers'
     * outputs forward), then with a backing track (every output mixes), both on one pinned core with
     * one media loop; then the whole machine (one loop per core, no pinning, no backing track). They
     * measure the machine as much as the mixer: on a shared machine the loop waits for a core and the
     * ramp stops early (it printed 0 at load 7-13). The capacity figures proper come from CPU time
     * ({@link org.duet.bench.capacity.CpuCapacity}); these keep a {@code _deadline_ramp} suffix.
     */
    public static List<Figure> capacity(Starter starter, int warmup, int seconds, int maxDuets, double tickMicros,
                                        int portBase, EncodedLoop a, EncodedLoop b) throws Exception {
        List<Figure> out = new ArrayList<>();
        out.add(new Figure("duets_per_core_deadline_ramp", ramp(starter, false, false, warmup, seconds, maxDuets, tickMicros,
                portBase, a, b), "duets"));
        out.add(new Figure("duets_per_core_backing_deadline_ramp", ramp(starter, true, false, warmup, seconds, maxDuets,
                tickMicros, portBase, a, b), "duets"));
        out.add(new Figure("duets_per_machine_deadline_ramp", ramp(starter, false, true, warmup, seconds,
                Math.min(300, maxDuets * Runtime.getRuntime().availableProcessors()), tickMicros, portBase, a, b),
                "duets"));
        return out;
    }

    /** Ramp steps: coarse at first, up to the largest that fits in the bench's port range. */
    static List<Integer> rampSteps(int maxDuets) {
        int[] steps = {10, 20, 40, 60, 80, 100, 120, 150, 180, 220, 260, 300};
        List<Integer> out = new ArrayList<>();
        for (int s : steps) {
            if (s <= maxDuets) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The largest D whose mix tick keeps its deadline: fewer than 0.1 % of tick periods late and the
     * p99 of the loops' work per tick period under the tick. Two failing steps in a row end it (one
     * can be a disturbance from other work on the shared machine).
     */
    static int ramp(Starter starter, boolean withBacking, boolean allCores, int warmup, int seconds, int maxDuets,
                    double tickMicros, int portBase, EncodedLoop a, EncodedLoop b) throws Exception {
        int best = 0;
        int failuresInARow = 0;
        for (int d : rampSteps(maxDuets)) {
            DuetServer.TickWindow w;
            try (DuetServer server = starter.start(withBacking, allCores)) {
                WorkloadSpec spec = new WorkloadSpec(d, Math.max(2, warmup - 1), Math.max(4, seconds / 3), 0, 0,
                        NetworkProfile.NONE, portBase);
                Workload.run(server, spec, a, b);
                w = server.tickWindow();
            }
            boolean ok = w != null && w.ticks() > 0 && w.missRatio() < MAX_MISS_RATIO && w.p99Micros() < tickMicros;
            System.err.printf("bench: duet ramp (%s%s) D=%d: tick p99 %.0f us, misses %d of %d ticks -> %s%n",
                    withBacking ? "backing" : "no backing", allCores ? ", all cores" : ", one core", d,
                    w == null ? Double.NaN : w.p99Micros(), w == null ? -1 : w.deadlineMisses(),
                    w == null ? -1 : w.ticks(), ok ? "ok" : "over");
            failuresInARow = ok ? 0 : failuresInARow + 1;
            if (ok) {
                best = d;
            } else if (failuresInARow == 2) {
                break;
            }
        }
        return best;
    }

    private static double percentile(List<Double> values, double p) {
        return values.isEmpty() ? Double.NaN : Percentiles.of(values, p);
    }

    /**
     * Allocation in steady state, engine in-process: Duet's threads' bytes minus the bytes inside
     * codec calls, per packet in or out; and the codec's bytes per call, for the default codec
     * backend (libopus when it loads) and for Concentus.
     */
    public static List<Figure> allocation(int duets, int warmup, int seconds, int portBase, java.nio.file.Path backing,
                                   EncodedLoop a, EncodedLoop b) throws Exception {
        List<Figure> out = new ArrayList<>();
        for (String backend : List.of("auto", "concentus")) {
            InProcessDuet.Allocation al;
            String effective;
            try (InProcessDuet d = InProcessDuet.start(backing, backend)) {
                WorkloadSpec spec = new WorkloadSpec(duets, warmup, seconds, 0, 0, NetworkProfile.NONE, portBase);
                Workload.run(d, spec, a, b);
                al = d.allocation();
                effective = backend.equals("auto") && org.duet.mixer.opus.Libopus.isAvailable() ? "libopus" : "concentus";
            }
            if (al == null) {
                continue;
            }
            System.err.printf("bench: allocation (%s codec): %d B on %s over %d packets; codec %d B over %d calls%n",
                    effective, al.duetThreadBytes(), al.threads(), al.packets(), al.codecBytes(), al.codecCalls());
            String suffix = backend.equals("auto") ? "" : "_" + effective;
            out.add(new Figure("alloc_bytes_per_packet" + suffix, al.ownBytesPerPacket(), "bytes"));
            out.add(new Figure("codec_alloc_bytes_per_frame" + suffix, al.codecBytesPerCall(), "bytes"));
            if (backend.equals("auto")) {
                out.add(new Figure("codec_backend_is_libopus", effective.equals("libopus") ? 1 : 0, "bool"));
            }
        }
        return out;
    }

    /** Default -D settings for the measured mixer process. */
    public static Map<String, String> mixerProperties() {
        return mixerProperties(false);
    }

    /** @param allCores one media loop per core (duet.mixer.loops = 0) instead of one */
    public static Map<String, String> mixerProperties(boolean allCores) {
        return allCores ? Map.of("duet.opus.meter-allocation", "false", "duet.mixer.loops", "0")
                : Map.of("duet.opus.meter-allocation", "false");
    }
}
