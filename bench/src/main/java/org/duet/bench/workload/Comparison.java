package org.duet.bench.workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.rtp.EncodedLoop;

/**
 * The runs of one comparison: per server, a quality run per network profile (latency, alignment,
 * concealment, residual, CPU at D duets) and a capacity ramp (CPU and output timing per D).
 */
public final class Comparison {

    /** Results of one server. */
    public static final class ServerResults {
        public final String server;
        public final Map<String, RunResult> quality = new LinkedHashMap<>();
        public final List<RunResult> ramp = new ArrayList<>();

        ServerResults(String server) {
            this.server = server;
        }

        /** The largest D of the ramp that kept output timing (0 if none did). */
        public int maxDuetsKeepingTiming() {
            int best = 0;
            for (RunResult r : ramp) {
                if (r.keepsTiming()) {
                    best = Math.max(best, r.duets());
                }
            }
            return best;
        }
    }

    /** Alignment test: duet 0's singer B has this much more one-way delay than singer A. */
    public static final double ALIGNMENT_DELAY_MS = 40;

    private Comparison() {
    }

    public static List<Integer> rampSteps(int maxDuets) {
        int[] steps = {1, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300};
        List<Integer> out = new ArrayList<>();
        for (int s : steps) {
            if (s <= maxDuets) {
                out.add(s);
            }
        }
        return out;
    }

    public static ServerResults run(String name, ServerFactory factory, int duets, int warmup, int seconds,
                                    List<NetworkProfile> profiles, boolean ramp, int maxDuets, int portBase,
                                    EncodedLoop a, EncodedLoop b) throws Exception {
        ServerResults out = new ServerResults(name);
        for (NetworkProfile profile : profiles) {
            try (MixerUnderTest server = factory.start()) {
                WorkloadSpec spec = new WorkloadSpec(duets, warmup, seconds, Math.min(duets, 4), ALIGNMENT_DELAY_MS,
                        profile, portBase);
                RunResult r = Workload.run(server, spec, a, b);
                out.quality.put(profile.name(), r);
                System.err.printf("bench: %s %s D=%d: latency p50 %.1f ms, cpu %.3f cores, timing p99 %.2f ms%n",
                        name, profile.name(), duets, median(r.latenciesMs()), r.cpuCores(), r.timing().p99AbsMs());
            }
        }
        if (ramp) {
            int failuresInARow = 0;
            for (int d : rampSteps(maxDuets)) {
                RunResult r;
                try (MixerUnderTest server = factory.start()) {
                    WorkloadSpec spec = new WorkloadSpec(d, Math.max(2, warmup - 1), Math.max(4, seconds / 3), 0, 0,
                            NetworkProfile.NONE, portBase);
                    r = Workload.run(server, spec, a, b);
                }
                out.ramp.add(r);
                System.err.printf("bench: %s ramp D=%d: cpu %.3f cores (%.2f%%/duet), timing p99 %.2f ms, delivered %.1f%%%n",
                        name, d, r.cpuCores(), 100 * r.cpuPerDuet(), r.timing().p99AbsMs(), 100 * r.deliveredRatio());
                // one failing step can be a disturbance on a shared machine; two in a row end the ramp
                failuresInARow = r.keepsTiming() ? 0 : failuresInARow + 1;
                if (failuresInARow == 2) {
                    break;
                }
            }
        }
        return out;
    }

    static double median(List<Double> v) {
        return org.duet.bench.analysis.Percentiles.of(v, 50);
    }
}
