package org.duet.bench.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.duet.bench.duet.DuetServer;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.report.Figure;
import org.duet.bench.report.MachineInfo;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.workload.RunResult;
import org.duet.bench.workload.Workload;
import org.duet.bench.workload.WorkloadSpec;

/**
 * {@code ./duet bench --only profile}: the capacity workload (D duets, backing track on, clean
 * network) against the mixer process with a JFR recording of the measured window; prints the
 * share of the media loop's CPU samples per area of the engine and writes the summary to
 * docs/profile.md (generated, like docs/benchmarks.md).
 */
public final class ProfileRun {

    private ProfileRun() {
    }

    public interface Starter {
        DuetServer start() throws Exception;
    }

    public static List<Figure> run(Starter starter, Path work, Path docs, int duets, int warmup, int seconds,
                                   int portBase, EncodedLoop a, EncodedLoop b) throws Exception {
        // JFR's sampler thread is a normal thread: a real-time media loop pinned to the same core
        // would keep it from sampling (and bias the profile towards idle moments).
        System.setProperty("bench.duet.no-realtime", "true");
        Path jfr = work.resolve("mixer.jfr");
        RunResult r;
        try (DuetServer server = starter.start()) {
            server.recordProfile(jfr);
            r = Workload.run(server, new WorkloadSpec(duets, warmup, seconds, 0, 0, NetworkProfile.NONE, portBase), a, b);
        }
        JfrProfile.Summary s = JfrProfile.read(jfr);
        List<Figure> out = new ArrayList<>();
        out.add(new Figure("profile_media_loop_samples", s.cpuSamples(), "samples"));
        out.add(new Figure("profile_cpu_per_duet", r.cpuPerDuet(), "cores"));
        for (Map.Entry<String, Double> e : s.areas().entrySet()) {
            out.add(new Figure("profile_share_" + e.getKey().replaceAll("[^a-z]+", "_").replaceAll("_$", ""),
                    e.getValue(), "ratio"));
        }
        out.add(new Figure("profile_alloc_sampled_bytes", s.allocBytes(), "bytes"));
        Path page = write(docs, s, r, duets, warmup, seconds);
        System.err.println("bench: wrote " + page);
        return out;
    }

    static Path write(Path docs, JfrProfile.Summary s, RunResult r, int duets, int warmup, int seconds)
            throws IOException {
        MachineInfo m = MachineInfo.current();
        StringBuilder md = new StringBuilder();
        md.append("# Where the mixer's time goes (JFR profile)\n\n");
        md.append("Written by `./duet bench --only profile --duets ").append(duets).append("` on ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("; re-run it to refresh this page, nothing here is typed in by hand. The reading of it, and ")
                .append("what was changed because of it, is in [performance.md](performance.md).\n\n");
        md.append("**Workload**: the capacity workload of [benchmarks.md](benchmarks.md): ").append(duets)
                .append(" duets (two plain-RTP singers sending 20 ms Opus and one listener each) with a backing track ")
                .append("in every room, clean loopback, the mixer process on one core with one media loop, ")
                .append(warmup).append(" s warm-up, then ").append(seconds)
                .append(" s recorded with JFR's `profile` settings (started and stopped with `jcmd`). ")
                .append("Machine: ").append(m.nproc()).append(" cores, ").append(m.cpuModel()).append(", ")
                .append(m.java()).append(". Server CPU over the window: ")
                .append(String.format(Locale.ROOT, "%.4f", r.cpuPerDuet())).append(" cores per duet.\n\n");
        md.append("CPU rows count `jdk.ExecutionSample` and `jdk.NativeMethodSample` events of the media-loop ")
                .append("thread (").append(s.cpuSamples()).append(" samples); a native sample on the loop is a libopus ")
                .append("call or a socket send, since the loop never blocks. Allocation rows weigh ")
                .append("`jdk.ObjectAllocationSample` events of Duet's threads by the bytes JFR attributes to them (")
                .append(s.allocBytes()).append(" bytes sampled over the window).\n\n");
        md.append("## By area of the engine\n\n| area | share of media-loop samples |\n|---|---|\n");
        s.areas().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(pct(v)).append(" |\n"));
        md.append("\n## Hottest methods (self)\n\n| method | share | samples |\n|---|---|---|\n");
        for (JfrProfile.Row row : s.self()) {
            md.append("| `").append(row.method()).append("` | ").append(pct(row.share())).append(" | ")
                    .append(row.count()).append(" |\n");
        }
        md.append("\n## Duet methods on the stack (inclusive)\n\n| method | share | samples |\n|---|---|---|\n");
        for (JfrProfile.Row row : s.inclusive()) {
            md.append("| `").append(row.method()).append("` | ").append(pct(row.share())).append(" | ")
                    .append(row.count()).append(" |\n");
        }
        md.append("\n## Allocation on Duet's threads (by innermost Duet method)\n\n");
        if (s.allocation().isEmpty()) {
            md.append("No allocation sample on Duet's threads in the window.\n");
        } else {
            md.append("| where (allocating frame) | share | bytes |\n|---|---|---|\n");
            for (JfrProfile.Row row : s.allocation()) {
                md.append("| `").append(row.method()).append("` | ").append(pct(row.share())).append(" | ")
                        .append(row.count()).append(" |\n");
            }
        }
        Files.createDirectories(docs);
        Path page = docs.resolve("profile.md");
        Files.writeString(page, md.toString());
        return page;
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }
}
