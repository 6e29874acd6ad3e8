package org.duet.bench.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.duet.bench.report.Figure;

/**
 * {@code ./duet bench --fuzz [--cases N] [--seconds S] [--seed X] [--only a,b]}: a seeded mutation
 * fuzzer over every parser that reads what a stranger can send. Per parser it runs N cases
 * (default 1,000,000) or S seconds (default 420), whichever ends first, and prints
 * {@code fuzz_<parser>_cases}, {@code _cases_per_s}, {@code _uncaught} (throwables out of the parser),
 * {@code _contract_breaks} (answers the server cannot rely on), {@code _hangs}, {@code _leaks} (rooms,
 * sessions, sockets, threads, heap left behind) (these four must be 0), {@code _accepted} (share of
 * cases the parser accepted), {@code _slowest_case} and {@code _seconds}; at the end
 * {@code fuzz_total_seconds}.
 * Inputs that crashed are saved under {@code bench/target/fuzz-findings/}. Exit status 1 on any
 * crash, hang or leak.
 */
public final class FuzzMain {

    private FuzzMain() {
    }

    public static void main(String[] argv) throws Exception {
        long cases = 1_000_000;
        double seconds = 420; // a quiet core runs the slowest parser (uploads) to 1,000,000 in about 300 s
        long seed = 20261201L;
        List<String> only = null;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--fuzz" -> { }
                case "--cases" -> cases = Long.parseLong(argv[++i]);
                case "--seconds" -> seconds = Double.parseDouble(argv[++i]);
                case "--seed" -> seed = Long.parseLong(argv[++i]);
                case "--only" -> only = List.of(argv[++i].split(","));
                default -> {
                    System.err.println("bench --fuzz: unknown option " + argv[i]
                            + " (use --cases N, --seconds S per parser, --seed X, --only rtp,rtcp,...)");
                    System.exit(2);
                }
            }
        }
        Map<String, Callable<FuzzTarget>> targets = new LinkedHashMap<>();
        targets.put("rtp", RtpTarget::new);
        targets.put("rtcp", RtcpTarget::new);
        targets.put("opus", OpusTarget::new);
        targets.put("stun", StunTarget::new);
        targets.put("sdp", SdpTarget::new);
        targets.put("signaling", SignalingTarget::new);
        targets.put("http-api", ControlApiTarget::new);
        targets.put("upload", UploadTarget::new);
        targets.put("mediajson", MediaJsonTarget::new);
        targets.put("presence", PresenceTarget::new);
        Path findings = Path.of("bench/target/fuzz-findings");
        System.err.printf(Locale.ROOT, "fuzz: %d cases or %.0f s per parser, seed %d%n", cases, seconds, seed);
        boolean failed = false;
        long runStart = System.nanoTime();
        for (Map.Entry<String, Callable<FuzzTarget>> t : targets.entrySet()) {
            if (only != null && !only.contains(t.getKey())) {
                continue;
            }
            FuzzRun.Result r;
            try (FuzzTarget target = t.getValue().call()) {
                r = FuzzRun.run(target, cases, seconds, seed, findings);
            }
            for (Figure f : figures(r)) {
                System.out.println(f.line());
            }
            if (r.cases() < cases) {
                System.err.printf(Locale.ROOT, "fuzz: %s stopped at its time bound after %d cases%n", r.target(), r.cases());
            }
            for (String leak : r.leaks()) {
                System.err.println("fuzz: LEAK " + r.target() + ": " + leak);
            }
            failed |= r.crashes() > 0 || r.hung() || !r.leaks().isEmpty();
        }
        System.out.println(new Figure("fuzz_total_seconds", (System.nanoTime() - runStart) / 1e9, "s").line());
        System.exit(failed ? 1 : 0);
    }

    static List<Figure> figures(FuzzRun.Result r) {
        String p = "fuzz_" + r.target().replace('-', '_') + "_";
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(p + "cases", r.cases(), "cases"));
        f.add(new Figure(p + "cases_per_s", Math.round(r.rate()), "cases/s"));
        f.add(new Figure(p + "uncaught", r.uncaught(), "count"));
        f.add(new Figure(p + "contract_breaks", r.contractBreaks(), "count"));
        f.add(new Figure(p + "hangs", r.hung() ? 1 : 0, "count"));
        f.add(new Figure(p + "leaks", r.leaks().size(), "count"));
        f.add(new Figure(p + "accepted", 100.0 * r.accepted() / Math.max(1, r.cases()), "%"));
        f.add(new Figure(p + "slowest_case", r.slowestNanos() / 1e6, "ms"));
        f.add(new Figure(p + "seconds", r.seconds(), "s"));
        f.add(new Figure(p + "console_lines", r.consoleLines(), "lines"));
        return f;
    }
}
