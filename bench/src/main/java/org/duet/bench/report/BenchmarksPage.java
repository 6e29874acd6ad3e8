package org.duet.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.duet.bench.workload.Comparison;
import org.duet.bench.workload.RunResult;

/** Writes docs/benchmarks.md: workload, machine, figures table, ramp table and the plots. */
public final class BenchmarksPage {

    private BenchmarksPage() {
    }

    public static Path write(Path docs, String command, MachineInfo machine, String loadAverage, int duets, int warmup, int seconds,
                             int core, int janusPrebuffer, List<Comparison.ServerResults> servers,
                             List<Figure> figures, List<Figure> ownFigures) throws IOException {
        Path img = docs.resolve("img");
        Path cdf = Plots.latencyCdf(servers, img.resolve("bench-latency-cdf.png"));
        Path cpu = Plots.cpuVsDuets(servers, img.resolve("bench-cpu-vs-duets.png"));
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks: Duet against Janus AudioBridge\n\n");
        md.append("Written by `").append(command).append("` on ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(". Re-run it to refresh every number ")
                .append("and plot on this page; nothing here is typed in by hand.\n\n");
        md.append("Where the mixer's time goes (JFR profile of the capacity workload, `./duet bench --only profile`): ")
                .append("[profile.md](profile.md); what was changed because of it and how each engine figure is measured: ")
                .append("[performance.md](performance.md).\n\n");
        md.append("## Machine\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| cores (nproc) | ").append(machine.nproc()).append(" |\n");
        md.append("| CPU | ").append(machine.cpuModel()).append(" |\n");
        md.append("| kernel | ").append(machine.kernel()).append(" |\n");
        md.append("| Java | ").append(machine.java()).append(" |\n");
        md.append("| /proc/loadavg at start | ").append(loadAverage).append(" |\n");
        boolean netem = org.duet.bench.netem.NetemProbe.kernelHasNetem();
        md.append("| kernel tc netem | ").append(netem ? "available" : "not available (probed in a throwaway network namespace)")
                .append(" |\n");
        md.append("| server pinning | ").append(core >= 0 ? "each server alone on core " + core
                + " (taskset), the bench's clients on the other cores" : "none (one core)").append(" |\n\n");
        md.append("## Workload\n\n");
        md.append("""
                - **D duets** on loopback, one room each: two singers and one listener, all plain RTP/RTCP over UDP
                  (RTP and RTCP muxed on one socket per participant).
                - **Singers** send 20 ms mono Opus at 48 kHz (64 kbit/s, encoded once by the bench and replayed) with an
                  RTCP Sender Report plus SDES CNAME every second whose NTP time is the frame's capture instant, and
                  answer the server's Sender Reports with Receiver Reports (LSR echoed). Each singer's signal is a
                  tone that changes frequency every frame (singer A 300-1300 Hz, singer B 1500-2500 Hz) plus a 10 ms
                  chirp click every 500 ms (A an up-chirp, B a down-chirp), the two singers' clicks captured at the
                  same instant. Duets start staggered across one 20 ms frame.
                - **Outputs**: each singer receives a mix-minus (the other singer only), the listener the combined mix.
                  Janus: AudioBridge room at 48 kHz, singers joined as plain-RTP participants (`join` with an `rtp`
                  object), listener mix by `rtp_forward` of the room mix, prebuffering %d packets%s. Duet: the mixer process
                  (`org.duet.mixer.Main serve`, one media loop) with participants added through its HTTP API.
                - **Each run starts a fresh server process**; figures come from the measured window after %d s of warm-up.
                - **Network profiles**: `none` (loopback as is) and `jitter20ms-loss2%%`: every client-to-server packet
                  is delayed 20 ms +- 20 ms (uniform, so packets reorder) and 2 %% are dropped, like
                  `tc netem delay 20ms 20ms loss 2%%`, applied in the bench's sending client. The kernel this page
                  was made on has no `sch_netem` (see the machine table: the bench probes it in a throwaway network
                  namespace), and impairing in the client also keeps the server-to-client direction clean, so output
                  timing stays measurable and each packet's real arrival time at the mixer is known.
                - **Alignment test**: in duet 0, singer B's packets (and its answers to RTCP) travel %.0f ms longer
                  than singer A's; both singers' clicks are captured at the same instant.

                """.formatted(janusPrebuffer, janusPrebuffer == 6 ? " (the Janus default)" : "", warmup,
                Comparison.ALIGNMENT_DELAY_MS));
        md.append("## How each figure is measured\n\n");
        md.append("""
                - **added latency**: for each click found (normalized cross-correlation of the decoded listener mix with
                  that singer's chirp, threshold 0.4), the arrival time of the listener-mix packet that carries it minus
                  the time the singer's packet carrying the click left the client socket. On loopback, leaving the client
                  is arrival at the mixer and arrival at the client is departure from the mixer (both within tens of
                  microseconds), so this is the time the server holds the audio, including its jitter buffer, its mix
                  tick and both codecs' look-ahead. Duet 0 (the alignment duet) is left out. D = %d.
                - **CPU per duet**: utime + stime of the server process from /proc/PID/stat over the measured window,
                  divided by wall time and by D.
                - **duets per core (timing)**: the capacity ramp raises D (1, 5, 10, 20, 30, ...) with a fresh server
                  for each step; the figure is the largest D at which the 99th percentile of output packet timing
                  deviation stays within 5 ms of the nominal 20 ms grid (fitted per stream) and at least 99 %% of the
                  output packets arrive. The ramp ends after two failing steps in a row (one can be a disturbance
                  from other work on the machine).
                - **concealed-frame rate**: share of the other singer's frames missing from each mix-minus output. Every
                  input frame carries its own tone frequency; a frame counts as delivered when that frequency is present
                  (Hann-windowed Goertzel, at least half the stream's median level) where the click cross-correlation
                  places it, allowing one frame of slip. Concealment cannot recreate the next frame's frequency, so this
                  counts concealed and dropped frames from outside, the same way for both servers.
                - **alignment error**: in duet 0's listener mix, median |position of B's click - position of A's
                  click| (both captured at the same instant, B sent %.0f ms later).
                - **own-voice residual**: in each mix-minus, the strongest of the singer's own tone frequencies relative to
                  the other singer's current tone (dB); the codec's noise floor when the own voice is absent.
                - **output timing p99**: 99th percentile of |packet arrival - nominal grid| over all outputs. Under the
                  impaired profile Duet's mix-minus outputs are the other singer's packets forwarded untouched (its
                  mix is a single voice), so they keep the input's jitter by design; only the `none` profile and the
                  ramp judge the servers' own pacing.

                """.formatted(duets, Comparison.ALIGNMENT_DELAY_MS));
        md.append("## Figures\n\n");
        md.append("| figure | Duet | Janus | Duet / Janus | unit |\n|---|---|---|---|---|\n");
        for (Figure f : figures) {
            if (!f.name().endsWith("_duet")) {
                continue;
            }
            String base = f.name().substring(0, f.name().length() - "_duet".length());
            Figure janus = find(figures, base + "_janus");
            Figure ratio = find(figures, base + "_ratio_duet_to_janus");
            md.append("| ").append(base).append(" | ").append(Figure.format(f.value())).append(" | ")
                    .append(janus == null ? "-" : Figure.format(janus.value())).append(" | ")
                    .append(ratio == null ? "-" : Figure.format(ratio.value())).append(" | ").append(f.unit()).append(" |\n");
        }
        for (Figure f : figures) {
            if (f.name().endsWith("_janus") && !f.name().contains("_ratio_")
                    && find(figures, f.name().replaceAll("_janus$", "_duet")) == null) {
                md.append("| ").append(f.name().replaceAll("_janus$", "")).append(" | - | ")
                        .append(Figure.format(f.value())).append(" | - | ").append(f.unit()).append(" |\n");
            }
        }
        if (!ownFigures.isEmpty()) {
            md.append("\n### Duet's own figures\n\n")
                    .append("The workload above plus a backing track in every room (48 kHz WAV of 110 and 165 Hz tones, ")
                    .append("below both singers' bands), as `./duet bench` prints them. The mixer process here is the ")
                    .append("bench's `DuetChildMain` (the same engine and defaults as `Main serve`, driven over pipes, ")
                    .append("pinned the same way) because its tick histogram can be reset at the start of the measured ")
                    .append("window, which GET /api/stats cannot. `mix_tick_*` come from that histogram. `duets_per_core` ")
                    .append("comes from CPU time: the mixer process's CPU seconds per duet-second at a fixed load of ")
                    .append("`capacity_load_duets` duets (listener mix per duet, no backing track; `_backing` with one), ")
                    .append("inverted; `capacity_tick_p99_us` and `capacity_load_average_1m` say whether the loop kept its ")
                    .append("deadlines at that load on this machine (docs/performance.md, \"Capacity\"). ")
                    .append("`alloc_bytes_per_packet` runs the engine in the bench's JVM and reads ")
                    .append("`com.sun.management.ThreadMXBean#getThreadAllocatedBytes` of Duet's threads (media loop, ")
                    .append("UDP receive) over the window, minus what the engine's codec meter counted inside Opus ")
                    .append("calls, divided by packets in + out; `codec_alloc_bytes_per_frame` is the codec meter's ")
                    .append("bytes per codec call, for the default backend (libopus through JNA when it loads) and for ")
                    .append("Concentus.\n\n| figure | value | unit |\n|---|---|---|\n");
            for (Figure f : ownFigures) {
                md.append("| ").append(f.name()).append(" | ").append(Figure.format(f.value())).append(" | ")
                        .append(f.unit()).append(" |\n");
            }
            md.append("\nTiming (issue #13, `docs/sync.md`): `clock_offset_error_*`, `calibration_error_ms` and ")
                    .append("`alignment_error_p95_ms` / `alignment_error_live_p95_ms` are computed by ")
                    .append("`bench/sync/SyncFigures` (simulated senders with the #13 profile; the click pattern through ")
                    .append("Opus after injected loops; two singers clapping on the clicks they hear, in simulated time, ")
                    .append("leader/follower and live). Janus has no equivalent: AudioBridge keeps no ")
                    .append("sender clock offset and does no latency calibration, it mixes by arrival, so for the #13 ")
                    .append("profile its clock-offset and calibration errors are undefined and its alignment error is ")
                    .append("the path asymmetry itself, 50 ms one way (B 60 ms against A 10 ms), as the alignment ")
                    .append("row above shows for this workload's own paths.\n");
        }
        md.append("\n## Plots\n\n");
        md.append("![latency CDF](").append(docs.relativize(cdf)).append(")\n\n");
        md.append("![CPU vs duets](").append(docs.relativize(cpu)).append(")\n\n");
        md.append("## Capacity ramp\n\n| server | D | CPU (cores) | CPU per duet | timing p99 (ms) | delivered | keeps timing |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (Comparison.ServerResults s : servers) {
            for (RunResult r : s.ramp) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.4f | %.2f | %.1f %% | %s |%n", s.server,
                        r.duets(), r.cpuCores(), r.cpuPerDuet(), r.timing().p99AbsMs(), 100 * r.deliveredRatio(),
                        r.keepsTiming() ? "yes" : "no"));
            }
        }
        md.append("""

                ## The harness

                Module `bench/`, package `org.duet.bench`: `BenchMain` (entry point), `workload/` (the duet workload,
                analysis, comparison runner), `net/` (paced Opus RTP sender with RTCP, selector-based receiver,
                network profile), `analysis/` (FFT cross-correlation, Goertzel, packet timing, percentiles),
                `janus/` (config writer, HTTP API client, AudioBridge driver), `duet/` (mixer process driver,
                in-process allocation run), `proc/` (/proc CPU sampler, process manager, real-time priority),
                `report/` (this page and its plots). Libraries: Concentus encodes the test signal once (pure Java,
                no native code needed for the senders); received audio is decoded with libopus through the engine's
                `OpusCodecs` when it loads (the reference decoder), else Concentus; Jackson for the Janus and Duet
                JSON APIs; XChart for the plots; `java.net.http` for HTTP.

                ## Caveats

                - The machine is shared and small; the bench's own clients run on the cores the servers are not pinned
                  to, but other work on the machine can still disturb timing (see the load average above; servers and
                  the bench's sending and receiving threads run at real-time round-robin priority to limit this).
                  Single ramp steps that fail between passing ones are such disturbances, and the timing-based
                  capacity figures vary from run to run; CPU per duet is the steadier capacity measure.
                  `bench_late_sends` counts client packets that left more than 2 ms late (the bench itself overloaded).
                - The Janus side runs Debian's `janus` package with its defaults except where stated above; Duet runs
                  its defaults (10 ms mix tick, Opus restricted-lowdelay, adaptive jitter buffer).
                """);
        Path page = docs.resolve("benchmarks.md");
        Files.createDirectories(docs);
        Files.writeString(page, md.toString());
        return page;
    }

    /**
     * Rewrites one section of the page ({@code docs/benchmarks.md}) and keeps the rest as it is:
     * what a single {@code ./duet bench --only X} run measures (the full {@code --compare janus} run
     * takes far longer than one such run, and rewrites the whole page). The section lies between
     * {@code <!-- bench:section NAME -->} and {@code <!-- bench:end NAME -->}; a page without it gets
     * it before "## Plots" (or at its end). The section says which command wrote it, when, and the
     * machine's load average at its start and end.
     */
    public static Path writeSection(Path docs, String name, String title, String command, String loadStart,
                                    String loadEnd, String intro, List<Figure> figures) throws IOException {
        Path page = docs.resolve("benchmarks.md");
        String begin = "<!-- bench:section " + name + " -->";
        String end = "<!-- bench:end " + name + " -->";
        StringBuilder md = new StringBuilder();
        md.append(begin).append("\n### ").append(title).append("\n\n");
        md.append("Written by `").append(command).append("` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (load average at start ").append(loadStart).append(", at end ").append(loadEnd)
                .append("). That command rewrites this section alone and keeps the rest of the page, which other ")
                .append("commands wrote (their dates are on them). ").append(intro).append("\n\n");
        md.append("| figure | value | unit |\n|---|---|---|\n");
        for (Figure f : figures) {
            md.append("| ").append(f.name()).append(" | ").append(Figure.format(f.value())).append(" | ").append(f.unit())
                    .append(" |\n");
        }
        md.append(end).append("\n");
        String old = Files.exists(page) ? Files.readString(page) : "# Benchmarks\n\n";
        Files.createDirectories(docs);
        Files.writeString(page, spliceSection(old, name, md.toString()));
        return page;
    }

    /** {@code page} with section {@code name} replaced by {@code section} (which carries its own markers), or added. */
    static String spliceSection(String page, String name, String section) {
        String begin = "<!-- bench:section " + name + " -->";
        String end = "<!-- bench:end " + name + " -->";
        int from = page.indexOf(begin);
        int to = page.indexOf(end);
        if (from >= 0 && to > from) {
            int after = to + end.length();
            if (after < page.length() && page.charAt(after) == '\n') {
                after++;
            }
            return page.substring(0, from) + section + page.substring(after);
        }
        int plots = page.indexOf("\n## Plots");
        if (plots >= 0) {
            return page.substring(0, plots + 1) + section + "\n" + page.substring(plots + 1);
        }
        return page + (page.endsWith("\n") ? "\n" : "\n\n") + section;
    }

    private static Figure find(List<Figure> figures, String name) {
        for (Figure f : figures) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
