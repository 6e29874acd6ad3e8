package org.duet.bench;

import java.nio.file.Path;

/**
 * Command line of {@code ./duet bench}.
 *
 * <pre>
 *   ./duet bench                       Duet's own figures (latency, tick, allocation, duets per core)
 *   ./duet bench --compare janus       the same workload against Janus AudioBridge and Duet; writes docs/benchmarks.md
 *   options: --duets N (10)  --seconds S measured per run (15)  --warmup S (4)  --max-duets N (120)
 *            --core C (1; -1 = no pinning)  --only duet|janus (compare) or alloc|latency|capacity|ramp|adapt|profile|sync|restart (own figures)
 *            --load-duets N (20): the fixed load of the CPU-time capacity figures (--only capacity)
 *            --no-ramp  --no-impairment
 *            --janus-prebuffer N (Janus default 6)  --docs DIR (docs)  --quick
 *   ./duet bench --only browser        two headless Chromiums: mouth to ear through Duet and direct (--seconds, 20)
 *            --page PARAMS              page URL parameters for it, e.g. "ptime=20&jbt=default" (js/latency.js)
 *   ./duet bench --only disturbance    listener-mix delay under input jitter and a scripted disturbance
 *   ./duet bench --only detectors      echo/howl detectors' CPU per singer-second on the capacity signals (2 x --duets singers)
 * </pre>
 */
record BenchArgs(String compare, int duets, int seconds, int warmup, int maxDuets, int core, String only,
                 boolean ramp, boolean impairment, int janusPrebuffer, Path docs, String page, int loadDuets,
                 java.util.List<String> argv) {

    static BenchArgs parse(String[] args) {
        String compare = null;
        int duets = 10, seconds = 15, warmup = 4, maxDuets = 120, prebuffer = 6;
        int loadDuets = org.duet.bench.capacity.CpuCapacity.DEFAULT_DUETS;
        int core = Runtime.getRuntime().availableProcessors() > 1 ? 1 : -1;
        String only = null;
        boolean ramp = true, impairment = true;
        Path docs = Path.of("docs");
        String page = "";
        boolean secondsGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--compare" -> compare = value(args, ++i, a);
                case "--duets" -> duets = Integer.parseInt(value(args, ++i, a));
                case "--seconds" -> {
                    seconds = Integer.parseInt(value(args, ++i, a));
                    secondsGiven = true;
                }
                case "--page" -> page = value(args, ++i, a);
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
                case "--max-duets" -> maxDuets = Integer.parseInt(value(args, ++i, a));
                case "--load-duets" -> loadDuets = Integer.parseInt(value(args, ++i, a));
                case "--core" -> core = Integer.parseInt(value(args, ++i, a));
                case "--only" -> only = value(args, ++i, a);
                case "--no-ramp" -> ramp = false;
                case "--no-impairment" -> impairment = false;
                case "--janus-prebuffer" -> prebuffer = Integer.parseInt(value(args, ++i, a));
                case "--docs" -> docs = Path.of(value(args, ++i, a));
                case "--quick" -> {
                    seconds = 6;
                    warmup = 3;
                    maxDuets = 40;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (compare != null && !compare.equals("janus")) {
            throw new IllegalArgumentException("--compare supports only janus");
        }
        if (duets < 1 || duets > 300 || seconds < 2 || seconds > 600 || warmup < 1 || maxDuets < 1 || maxDuets > 300
                || loadDuets < 1 || loadDuets > 150) {
            throw new IllegalArgumentException("option out of range");
        }
        if ("browser".equals(only) && !secondsGiven) {
            seconds = 20; // recorded seconds: about 80 clicks over both directions
        }
        return new BenchArgs(compare, duets, seconds, warmup, maxDuets, core, only, ramp, impairment, prebuffer, docs,
                page, loadDuets, java.util.List.of(args));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
