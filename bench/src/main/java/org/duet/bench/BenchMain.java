package org.duet.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.duet.bench.duet.DuetOwnFigures;
import org.duet.bench.duet.DuetServer;
import org.duet.bench.janus.JanusAudioBridge;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.report.BenchmarksPage;
import org.duet.bench.report.ComparisonFigures;
import org.duet.bench.report.Figure;
import org.duet.bench.report.MachineInfo;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.BackingTrack;
import org.duet.bench.signal.TestSignal;
import org.duet.bench.workload.Comparison;
import org.duet.bench.workload.ServerFactory;

/**
 * {@code ./duet bench [args]}: prints one {@code name value unit} line per figure on stdout
 * (progress goes to stderr). See {@link BenchArgs} for the options.
 */
public final class BenchMain {

    /** Client sockets bind from here up (3 per duet), below the kernel's ephemeral range. */
    static final int CLIENT_PORT_BASE = 30720;
    /** Duet's default mix tick (duet.mixer.tick = 10 ms). */
    static final double TICK_MICROS = 10_000;

    private BenchMain() {
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && argv[0].equals("--fuzz")) { // issue 14: every parser, a million cases each
            org.duet.bench.fuzz.FuzzMain.main(argv);
            return;
        }
        if (argv.length > 0 && argv[0].equals("--soak")) {
            soak(argv); // #17: ./duet bench --soak 30m [--duets N] [--docs DIR]
            return;
        }
        BenchArgs args;
        try {
            args = BenchArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        if ("browser".equals(args.only())) {
            // Chromium inherits this process's CPU mask: leave the browsers and the server both cores
            for (Figure f : org.duet.bench.browser.BrowserFigures.run(args.seconds(), args.page())) {
                System.out.println(f.line());
            }
            return;
        }
        pinSelfAwayFrom(args.core());
        EncodedLoop a = EncodedLoop.encode(TestSignal.singerA(500, 25));
        EncodedLoop b = EncodedLoop.encode(TestSignal.singerB(500, 25));
        Path work = Files.createTempDirectory("duet-bench-");
        try {
            run(args, work, a, b);
            deleteTree(work);
        } catch (Exception e) {
            System.err.println("bench: failed; server logs kept in " + work);
            throw e;
        }
    }

    private static void run(BenchArgs args, Path work, EncodedLoop a, EncodedLoop b) throws Exception {
        Path backing = BackingTrack.write(work.resolve("backing.wav"), 20);
        // Duet's own figures need tick stats over exactly the measured window: the pipe-driven child
        DuetOwnFigures.Starter duet = (withBacking, allCores, extra) -> {
            java.util.Map<String, String> props = new java.util.HashMap<>(DuetOwnFigures.mixerProperties(allCores));
            props.putAll(extra);
            return DuetServer.start(work.resolve("duet-" + System.nanoTime()), allCores ? -1 : args.core(), freePort(),
                    withBacking ? backing : null, props, false);
        };
        if (args.compare() != null) {
            compare(args, work, duet, backing, a, b);
        } else if ("restart".equals(args.only())) { // issue 14: kill -9 mid-duet, audio back within 5 s
            for (Figure f : org.duet.bench.restart.RestartFigures.run()) {
                System.out.println(f.line());
            }
        } else if ("profile".equals(args.only())) { // #17: JFR profile of the capacity workload -> docs/profile.md
            for (Figure f : org.duet.bench.profile.ProfileRun.run(duet::start, work, args.docs(), args.duets(),
                    args.warmup(), args.seconds(), CLIENT_PORT_BASE, a, b)) {
                System.out.println(f.line());
            }
        } else if ("detectors".equals(args.only())) { // #17: echo/howl detector CPU per singer, no mixer
            String load = loadAverage();
            List<Figure> figures = org.duet.bench.detect.DetectorCost.run(a, b, 2 * args.duets(),
                    Math.min(args.seconds(), 20), 3);
            for (Figure f : figures) {
                System.out.println(f.line());
            }
            section(args, "detectors", "Echo and feedback detectors, CPU per singer", load, figures,
                    "The capacity workload's two decoded voices fed to 2 x D singers' detectors in 10 ms blocks, "
                    + "interleaved singer by singer as a media loop runs them (each singer is sent the partner's "
                    + "voice), no mixer around them; thread CPU time per singer-second, the least of 3 runs "
                    + "(`bench/.../detect/DetectorCost`): the whole `EchoControl` as the mixer builds it, and each "
                    + "part alone.");
        } else if ("sync".equals(args.only())) {
            for (Figure f : org.duet.bench.sync.SyncFigures.run()) { // #13 timing figures only, docs/sync.md
                System.out.println(f.line());
            }
        } else if ("capacity".equals(args.only())) { // #17: duets_per_core (+ backing), duets_per_machine, from CPU time
            String load = loadAverage();
            List<Figure> figures = org.duet.bench.capacity.CpuCapacity.run(duet, args.loadDuets(), args.warmup(),
                    Math.min(args.seconds(), 20), CLIENT_PORT_BASE, a, b);
            for (Figure f : figures) {
                System.out.println(f.line());
            }
            section(args, "capacity", "Capacity from CPU time", load, figures,
                    "The mixer process's CPU time per duet-second at a fixed load of `capacity_load_duets` duets "
                    + "(listener mix per duet; `_backing` with a backing track in every room; `duets_per_machine` "
                    + "with one loop per core), without the JIT compiler's, inverted into duets per core; "
                    + "`capacity_tick_*`, `capacity_served_ratio` and `capacity_load_average_1m` say whether the "
                    + "loop kept up at that load on this machine (docs/performance.md).");
        } else if ("ramp".equals(args.only())) { // the deadline ramp: needs a quiet machine (docs/performance.md)
            for (Figure f : DuetOwnFigures.capacity(duet, args.warmup(), args.seconds(), args.maxDuets(), TICK_MICROS,
                    CLIENT_PORT_BASE, a, b)) {
                System.out.println(f.line());
            }
        } else if ("disturbance".equals(args.only())) {
            for (Figure f : org.duet.bench.jitter.DisturbanceFigures.run()) { // #17 jitter rules, docs/jitter-buffer.md
                System.out.println(f.line());
            }
        } else if ("adapt".equals(args.only())) {
            for (Figure f : org.duet.bench.adapt.AdaptFigures.run()) {
                System.out.println(f.line());
            }
        } else {
            List<Figure> figures = "alloc".equals(args.only())
                    ? DuetOwnFigures.allocation(args.duets(), args.warmup(), Math.min(args.seconds(), 8), CLIENT_PORT_BASE,
                            backing, a, b)
                    : DuetOwnFigures.run(duet, backing, "latency".equals(args.only()), args.duets(), args.warmup(), args.seconds(),
                    args.loadDuets(), args.ramp(), TICK_MICROS, CLIENT_PORT_BASE, a, b);
            for (Figure f : figures) {
                System.out.println(f.line());
            }
            if (args.only() == null) {
                for (Figure f : org.duet.bench.sync.SyncFigures.run()) { // #13 timing figures, docs/sync.md
                    System.out.println(f.line());
                }
                for (Figure f : org.duet.bench.adapt.AdaptFigures.run()) { // #15 figures, docs/adaptation.md
                    System.out.println(f.line());
                }
                for (Figure f : org.duet.bench.restart.RestartFigures.run()) { // #14 restart, docs/signaling.md
                    System.out.println(f.line());
                }
                for (Figure f : org.duet.bench.jitter.DisturbanceFigures.run()) { // #17 jitter rules, docs/jitter-buffer.md
                    System.out.println(f.line());
                }
            }
        }
    }

    /** Rewrites section {@code name} of docs/benchmarks.md with a single run's figures (the rest of the page stays). */
    static void section(BenchArgs args, String name, String title, String loadAtStart, List<Figure> figures,
                        String intro) throws IOException {
        if (figures.isEmpty()) {
            return;
        }
        Path page = BenchmarksPage.writeSection(args.docs(), name, title, "./duet bench " + String.join(" ", args.argv()),
                firstThree(loadAtStart), firstThree(loadAverage()), intro, figures);
        System.err.println("bench: wrote the " + name + " section of " + page);
    }

    static void compare(BenchArgs args, Path work, DuetOwnFigures.Starter duetWithBacking, Path backing, EncodedLoop a,
                        EncodedLoop b) throws Exception {
        String load = loadAverage();
        List<NetworkProfile> profiles = new ArrayList<>(List.of(NetworkProfile.NONE));
        if (args.impairment()) {
            profiles.add(NetworkProfile.JITTER_20MS_LOSS_2);
        }
        List<Comparison.ServerResults> results = new ArrayList<>();
        if (args.only() == null || args.only().equals("janus")) {
            JanusAudioBridge.ensureInstalled();
            ServerFactory janus = () -> JanusAudioBridge.start(work.resolve("janus-" + System.nanoTime()), args.core(),
                    freePort(), 20000, 29999, args.janusPrebuffer());
            results.add(Comparison.run("janus", janus, args.duets(), args.warmup(), args.seconds(), profiles,
                    args.ramp(), args.maxDuets(), CLIENT_PORT_BASE, a, b));
        }
        if (args.only() == null || args.only().equals("duet")) {
            // no backing track here: Janus gets none either, so both mix the same voices
            // bench.duet.inprocess=true: the engine inside the bench JVM (for debugging the harness; its CPU
            // figure then includes the bench's own threads)
            ServerFactory duet = Boolean.getBoolean("bench.duet.inprocess")
                    ? () -> org.duet.bench.duet.InProcessDuet.start(null, "auto")
                    : () -> DuetServer.start(work.resolve("duet-" + System.nanoTime()), args.core(), freePort(), null,
                            DuetOwnFigures.mixerProperties());
            try {
                results.add(0, Comparison.run("duet", duet, args.duets(), args.warmup(), args.seconds(), profiles,
                        args.ramp(), args.maxDuets(), CLIENT_PORT_BASE, a, b));
            } catch (Exception e) {
                System.err.println("bench: Duet could not be measured: " + e);
            }
        }
        List<Figure> figures = ComparisonFigures.of(results, profiles.stream().map(NetworkProfile::name).toList());
        for (Figure f : figures) {
            System.out.println(f.line());
        }
        if (args.only() == null) {
            // Duet's own figures (backing track, tick and allocation counters) go on the same page
            List<Figure> own = new ArrayList<>();
            try {
                own = new ArrayList<>(DuetOwnFigures.run(duetWithBacking, backing, false, args.duets(), args.warmup(),
                        args.seconds(), args.loadDuets(), args.ramp(), TICK_MICROS, CLIENT_PORT_BASE, a, b));
                own.addAll(org.duet.bench.sync.SyncFigures.run()); // #13 timing figures, docs/sync.md
                for (Figure f : own) {
                    System.out.println(f.line());
                }
            } catch (Exception e) {
                System.err.println("bench: Duet's own figures failed: " + e);
            }
            Path page = BenchmarksPage.write(args.docs(), "./duet bench --compare janus", MachineInfo.current(), load,
                    args.duets(), args.warmup(), args.seconds(), args.core(), args.janusPrebuffer(), results, figures,
                    own);
            System.err.println("bench: wrote " + page);
        }
    }

    /** {@code --soak DURATION [--duets N] [--docs DIR] [--core C]}: see {@link org.duet.bench.soak.SoakRun}. */
    static void soak(String[] argv) throws Exception {
        if (argv.length < 2) {
            System.err.println("bench: --soak needs a duration (30m, 90s, 1h)");
            System.exit(2);
        }
        java.time.Duration duration = org.duet.bench.soak.SoakRun.parseDuration(argv[1]);
        int duets = 20;
        Path docs = Path.of("docs");
        int core = Runtime.getRuntime().availableProcessors() > 1 ? 1 : -1;
        for (int i = 2; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--duets" -> duets = Integer.parseInt(argv[i + 1]);
                case "--docs" -> docs = Path.of(argv[i + 1]);
                case "--core" -> core = Integer.parseInt(argv[i + 1]); // -1: not pinned (a shared machine)
                default -> throw new IllegalArgumentException("unknown soak option " + argv[i]);
            }
        }
        final int serverCore = core;
        pinSelfAwayFrom(core);
        EncodedLoop a = EncodedLoop.encode(TestSignal.singerA(500, 25));
        EncodedLoop b = EncodedLoop.encode(TestSignal.singerB(500, 25));
        Path work = Files.createTempDirectory("duet-soak-");
        Path backing = BackingTrack.write(work.resolve("backing.wav"), 20);
        for (Figure f : org.duet.bench.soak.SoakRun.run(() -> DuetServer.start(work.resolve("duet"), serverCore, freePort(),
                backing, DuetOwnFigures.mixerProperties(), false), duration, duets, CLIENT_PORT_BASE,
                docs.resolve("img").resolve("bench-soak.png"), a, b)) {
            System.out.println(f.line());
        }
        deleteTree(work);
    }

    /** Removes the bench's temporary directory (server configs and logs). */
    static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
        }
    }

    /** The 1, 5 and 15 minute load averages of a /proc/loadavg line. */
    static String firstThree(String loadavg) {
        String[] f = loadavg.split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : loadavg;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Keeps the bench's own threads off the core the servers are pinned to. */
    static void pinSelfAwayFrom(int core) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (core < 0 || cpus < 2 || !Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            return;
        }
        StringBuilder list = new StringBuilder();
        for (int c = 0; c < cpus; c++) {
            if (c != core) {
                list.append(list.length() == 0 ? "" : ",").append(c);
            }
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/taskset", "-a", "-c", "-p", list.toString(),
                    Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("bench: could not pin the bench: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
