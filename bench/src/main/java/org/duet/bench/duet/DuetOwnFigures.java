package org.duet.bench.duet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.duet.bench.analysis.Percentiles;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.report.Figure;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.workload.Comparison;
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
        DuetServer start() throws Exception;
    }

    public static List<Figure> run(Starter starter, java.nio.file.Path backing, boolean latencyOnly, int duets, int warmup, int seconds, int maxDuets, boolean ramp,
                                   double tickMicros, int portBase, EncodedLoop a, EncodedLoop b) throws Exception {
        List<Figure> out = new ArrayList<>();
        try (DuetServer server = starter.start()) {
            WorkloadSpec spec = new WorkloadSpec(duets, warmup, seconds, Math.min(duets, 4), 0, NetworkProfile.NONE,
                    portBase);
            RunResult r = Workload.run(server, spec, a, b);
            DuetServer.TickWindow w = server.tickWindow();
            out.add(new Figure("added_latency_p50_ms", Percentiles.of(r.latenciesMs(), 50), "ms"));
            out.add(new Figure("added_latency_p95_ms", Percentiles.of(r.latenciesMs(), 95), "ms"));
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
        }
        if (!latencyOnly) {
            out.addAll(allocation(duets, warmup, Math.min(seconds, 8), portBase, backing, a, b));
        }
        if (ramp && !latencyOnly) {
            int best = 0;
            int failuresInARow = 0;
            for (int d : Comparison.rampSteps(maxDuets)) {
                DuetServer.TickWindow w;
                try (DuetServer server = starter.start()) {
                    WorkloadSpec spec = new WorkloadSpec(d, Math.max(2, warmup - 1), Math.max(4, seconds / 3), 0, 0,
                            NetworkProfile.NONE, portBase);
                    Workload.run(server, spec, a, b);
                    w = server.tickWindow();
                }
                boolean ok = w != null && w.ticks() > 0 && w.missRatio() < MAX_MISS_RATIO && w.p99Micros() < tickMicros;
                System.err.printf("bench: duet ramp D=%d: tick p99 %.0f us, misses %d of %d ticks -> %s%n", d,
                        w == null ? Double.NaN : w.p99Micros(), w == null ? -1 : w.deadlineMisses(),
                        w == null ? -1 : w.ticks(), ok ? "ok" : "over");
                // one failing step can be a disturbance on a shared machine; two in a row end the ramp
                failuresInARow = ok ? 0 : failuresInARow + 1;
                if (ok) {
                    best = d;
                } else if (failuresInARow == 2) {
                    break;
                }
            }
            out.add(new Figure("duets_per_core", best, "duets"));
        }
        return out;
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
        return Map.of("duet.opus.meter-allocation", "false");
    }
}
