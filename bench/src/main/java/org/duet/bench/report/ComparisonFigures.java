package org.duet.bench.report;

import java.util.ArrayList;
import java.util.List;
import org.duet.bench.analysis.Percentiles;
import org.duet.bench.workload.Comparison;
import org.duet.bench.workload.RunResult;

/** The comparison's figures: each for Duet, for Janus and as the ratio Duet / Janus. */
public final class ComparisonFigures {

    private ComparisonFigures() {
    }

    public static List<Figure> of(List<Comparison.ServerResults> servers, List<String> profiles) {
        List<Figure> out = new ArrayList<>();
        for (String profile : profiles) {
            String suffix = profile.equals("none") ? "" : "_" + profile.replaceAll("[^a-z0-9]+", "");
            add(out, servers, "added_latency_p50" + suffix, "ms", s -> pct(s, profile, 50));
            add(out, servers, "added_latency_p95" + suffix, "ms", s -> pct(s, profile, 95));
            add(out, servers, "cpu_per_duet" + suffix, "cores", s -> q(s, profile) == null ? Double.NaN : q(s, profile).cpuPerDuet());
            add(out, servers, "concealed_frame_rate" + suffix, "ratio", s -> q(s, profile) == null ? Double.NaN : q(s, profile).concealedRate());
            add(out, servers, "alignment_error" + suffix, "ms", s -> q(s, profile) == null ? Double.NaN
                    : Percentiles.of(q(s, profile).alignmentErrorsMs().stream().map(Math::abs).toList(), 50));
            add(out, servers, "own_voice_residual" + suffix, "dB", s -> q(s, profile) == null ? Double.NaN : q(s, profile).ownVoiceResidualDb());
            add(out, servers, "output_timing_p99" + suffix, "ms", s -> q(s, profile) == null ? Double.NaN : q(s, profile).timing().p99AbsMs());
        }
        add(out, servers, "duets_per_core_timing5ms", "duets", s -> s.ramp.isEmpty() ? Double.NaN : s.maxDuetsKeepingTiming());
        return out;
    }

    private static RunResult q(Comparison.ServerResults s, String profile) {
        return s.quality.get(profile);
    }

    private static double pct(Comparison.ServerResults s, String profile, double p) {
        RunResult r = q(s, profile);
        return r == null ? Double.NaN : Percentiles.of(r.latenciesMs(), p);
    }

    private static void add(List<Figure> out, List<Comparison.ServerResults> servers, String name, String unit,
                            java.util.function.ToDoubleFunction<Comparison.ServerResults> f) {
        double duet = Double.NaN, janus = Double.NaN;
        for (Comparison.ServerResults s : servers) {
            double v = f.applyAsDouble(s);
            out.add(new Figure(name + "_" + s.server, v, unit));
            if (s.server.equals("duet")) {
                duet = v;
            } else if (s.server.equals("janus")) {
                janus = v;
            }
        }
        if (!Double.isNaN(duet) && !Double.isNaN(janus) && janus != 0) {
            out.add(new Figure(name + "_ratio_duet_to_janus", duet / janus, "x"));
        }
    }
}
