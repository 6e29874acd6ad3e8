package org.duet.bench.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.duet.bench.duet.DuetOwnFigures;
import org.duet.bench.duet.DuetServer;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.report.Figure;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.workload.Workload;
import org.duet.bench.workload.WorkloadSpec;

/**
 * Capacity from CPU time ({@code ./duet bench --only capacity}): the mixer runs a fixed load of N
 * duets (two plain-RTP singers sending 20 ms Opus, one listener each, clean loopback) and the bench
 * reads how much CPU the mixer process used per second of duet:
 *
 * <pre>
 *   cpu per duet-second = CPU seconds of the mixer process over the window / (N * window seconds)
 *   duets_per_core      = 1 / cpu per duet-second
 * </pre>
 *
 * A core that the machine's other work keeps busy stretches the loop's ticks (and starved last
 * session's deadline ramp to 0), but does not add to the loop's CPU time, so this figure holds on a
 * shared machine. Whether the loop kept its deadlines at N is reported beside it (tick p99, the
 * share of tick periods late), with the load average, because that part does depend on the machine.
 *
 * <p>A loop more than 5 ticks behind normally skips ahead rather than burst out a backlog, and then
 * mixes less than the load asks for and would look cheap; these runs let it fall up to 10 s behind
 * ({@code -Dduet.mixer.skip-behind-ticks=1000}), so a starved loop still does all the work, late.
 * The duet-seconds are those the mixer served: N * window times the smaller of two ratios, the
 * singers' packets it received over those the load sends (a starved bench delivers fewer) and the
 * listener-mix frames (20 ms each) it sent over those the load asks for (below 1 if the loop ends the
 * window further behind than it started), reported as {@code capacity_served_ratio}. Where it is
 * below 1, part of the work was still done (received packets are handled either way), so the
 * correction errs on the costly side.
 *
 * <p>The process figure counts every thread of the mixer (media loop, UDP receive, GC, control) but
 * the JIT compiler's, which is reported apart ({@code jit_cpu_ms_per_duet_second}): compiling is a
 * one-off of a process's first minutes, not a cost per duet-second, and on a loaded machine the
 * niced compiler was still at work after the 4 s warm-up (0.6-1.2 s of a 6-8 s window, 13-16 % of
 * the process, 2026-12-02); how much of it falls into the window depends on the load, not the mixer.
 * The process figure
 * {@code _media_loop} counts the media loop thread alone (the one thread whose tick must fit in the
 * period). The extrapolation to D duets assumes the cost per duet stays what it is at N; per-loop
 * fixed costs (wake-ups, the tick's scheduling) are spread over more duets at larger D, so it errs
 * on the low side as long as the loop's working set stays in cache.
 */
public final class CpuCapacity {

    /** Default fixed load: well inside one core (about a third of it at last session's costs). */
    public static final int DEFAULT_DUETS = 20;

    /** What one fixed-load run measured. */
    record Run(int duets, double windowSeconds, double servedRatio, double processCpuSeconds,
               double mediaLoopCpuSeconds, double udpCpuSeconds, double jitCpuSeconds, double tickP99Micros,
               double tickMissRatio, long ticks, String load) {

        /** The process's CPU less the JIT compiler's (see the class comment). */
        double steadyCpuSeconds() {
            return processCpuSeconds - jitCpuSeconds;
        }

        /** CPU milliseconds per duet-second the mixer actually served (see {@link #servedRatio}). */
        double msPerDuetSecond(double cpuSeconds) {
            return cpuSeconds * 1000 / (duets * windowSeconds * servedRatio);
        }
    }

    private CpuCapacity() {
    }

    public static List<Figure> run(DuetOwnFigures.Starter starter, int duets, int warmup, int seconds, int portBase,
                                   EncodedLoop a, EncodedLoop b) throws Exception {
        List<Figure> out = new ArrayList<>();
        int cores = org.duet.bench.report.MachineInfo.current().nproc(); // not the bench's own (pinned) affinity
        System.err.printf(Locale.ROOT, "bench: capacity workload: %d duets (2 singers sending 20 ms Opus + 1 listener"
                + " each, clean loopback), %d s warm-up, %d s measured; CPU time of the mixer process per duet-second%n",
                duets, warmup, seconds);
        out.add(new Figure("capacity_load_duets", duets, "duets"));
        out.add(new Figure("capacity_window_s", seconds, "s"));
        Run mix = measure(starter, false, false, duets, warmup, seconds, portBase, a, b, "listener mix, one loop");
        figures(out, "", mix);
        Run backing = measure(starter, true, false, duets, warmup, seconds, portBase, a, b,
                "listener mix + backing track, one loop");
        figures(out, "_backing", backing);
        // The whole machine: one loop per core, unpinned, at half the load one core carries by the
        // one-loop figure. The loops run at real-time priority: at N per core (last session's load)
        // they filled every core and starved the mixer's control thread, whose stats never came
        // ("no CPU or tick snapshot"), and the bench's own senders (0.42 of the load served).
        int perLoop = machineDuetsPerLoop(duets, mix.msPerDuetSecond(mix.steadyCpuSeconds()));
        Run machine;
        try {
            machine = measure(starter, false, true, Math.min(300, perLoop * cores), warmup, seconds, portBase, a, b,
                    "listener mix, one loop per core, all cores");
        } catch (IllegalStateException e) {
            System.err.println("bench: " + e.getMessage() + ": no duets_per_machine");
            return out;
        }
        double msMachine = machine.msPerDuetSecond(machine.steadyCpuSeconds());
        out.add(new Figure("duets_per_machine_load_duets", machine.duets(), "duets"));
        out.add(new Figure("duets_per_machine", Math.floor(cores * 1000 / msMachine), "duets"));
        out.add(new Figure("duets_per_machine_cores", cores, "cores"));
        out.add(new Figure("duets_per_machine_cpu_ms_per_duet_second", msMachine, "ms"));
        out.add(new Figure("duets_per_machine_tick_p99_us", machine.tickP99Micros(), "us"));
        out.add(new Figure("duets_per_machine_tick_miss_ratio", machine.tickMissRatio(), "ratio"));
        out.add(new Figure("duets_per_machine_served_ratio", machine.servedRatio(), "ratio"));
        out.add(new Figure("duets_per_machine_load_average_1m", loadOf(machine.load()), "load"));
        return out;
    }

    /**
     * Duets per loop for the whole-machine run: half of what one core carries at the one-loop run's
     * CPU per duet-second, at least 1, at most the one-loop load (NaN: the one-loop load).
     */
    static int machineDuetsPerLoop(int oneLoopDuets, double msPerDuetSecond) {
        if (!(msPerDuetSecond > 0)) {
            return oneLoopDuets;
        }
        return (int) Math.max(1, Math.min(oneLoopDuets, Math.floor(0.5 * 1000 / msPerDuetSecond)));
    }

    private static void figures(List<Figure> out, String suffix, Run r) {
        double process = r.msPerDuetSecond(r.steadyCpuSeconds());
        double loop = r.msPerDuetSecond(r.mediaLoopCpuSeconds());
        out.add(new Figure("cpu_ms_per_duet_second" + suffix, process, "ms"));
        out.add(new Figure("media_loop_cpu_ms_per_duet_second" + suffix, loop, "ms"));
        out.add(new Figure("udp_receive_cpu_ms_per_duet_second" + suffix, r.msPerDuetSecond(r.udpCpuSeconds()), "ms"));
        out.add(new Figure("jit_cpu_ms_per_duet_second" + suffix, r.msPerDuetSecond(r.jitCpuSeconds()), "ms"));
        out.add(new Figure("duets_per_core" + suffix, Math.floor(1000 / process), "duets"));
        out.add(new Figure("duets_per_core_media_loop" + suffix, Math.floor(1000 / loop), "duets"));
        out.add(new Figure("capacity_tick_p99_us" + suffix, r.tickP99Micros(), "us"));
        out.add(new Figure("capacity_tick_miss_ratio" + suffix, r.tickMissRatio(), "ratio"));
        out.add(new Figure("capacity_served_ratio" + suffix, r.servedRatio(), "ratio"));
        out.add(new Figure("capacity_load_average_1m" + suffix, loadOf(r.load()), "load"));
    }

    /** A run that served less than this share of its load is tried once more (the better one counts). */
    static final double WELL_SERVED = 0.95;

    static Run measure(DuetOwnFigures.Starter starter, boolean withBacking, boolean allCores, int duets, int warmup,
                       int seconds, int portBase, EncodedLoop a, EncodedLoop b, String what) throws Exception {
        Run first;
        try {
            first = measureOnce(starter, withBacking, allCores, duets, warmup, seconds, portBase, a, b, what);
        } catch (IllegalStateException e) {
            // no snapshot: the mixer's control thread did not answer in time (load 42 on 2026-12-02 15:22
            // ended the whole run here); a fresh process once more, as for a starved window below
            System.err.println("bench: " + e.getMessage() + "; once more");
            return measureOnce(starter, withBacking, allCores, duets, warmup, seconds, portBase, a, b, what);
        }
        if (first.servedRatio() >= WELL_SERVED) {
            return first;
        }
        System.err.printf(Locale.ROOT, "bench: capacity (%s): only %.2f of the load served (the machine starved the"
                + " mixer or the bench); once more%n", what, first.servedRatio());
        Run second = measureOnce(starter, withBacking, allCores, duets, warmup, seconds, portBase, a, b, what);
        return second.servedRatio() > first.servedRatio() ? second : first;
    }

    private static Run measureOnce(DuetOwnFigures.Starter starter, boolean withBacking, boolean allCores, int duets,
                                   int warmup, int seconds, int portBase, EncodedLoop a, EncodedLoop b, String what)
            throws Exception {
        // A starved loop runs its backlog of ticks (late) rather than skip them: all the work is done and
        // measured. Never pinned: CPU time does not need a core of its own, and a loop pinned to a core
        // that higher-priority work holds cannot move to the other one (one loop, or one per core).
        // The same for packets that waited in the loop's queue (dropped after 1 s by default) and for
        // a voice's play-out that fell behind (skips ahead after 1 s by default).
        Map<String, String> props = Map.of("duet.mixer.skip-behind-ticks", "1000",
                "duet.mixer.stale-packet-ms", "10000", "duet.jitter.catch-up-ms", "10000",
                "duet.mixer.loops", allCores ? "0" : "1");
        try (DuetServer server = starter.start(withBacking, true, props)) {
            WorkloadSpec spec = new WorkloadSpec(duets, warmup, seconds, 0, 0, NetworkProfile.NONE, portBase);
            Workload.run(server, spec, a, b);
            String load = loadAverage();
            DuetServer.CpuWindow cpu = server.cpuWindow();
            DuetServer.TickWindow tick = server.tickWindow();
            if (cpu == null || tick == null) {
                throw new IllegalStateException("capacity run (" + what + "): no CPU or tick snapshot");
            }
            double window = cpu.threads().wallNanos() / 1e9;
            double frameSeconds = org.duet.bench.net.PacedSender.FRAME_NANOS / 1e9; // listener mixes: 20 ms frames
            long mixes = server.listenerPacketsOutInWindow();
            long voices = server.singerPacketsInInWindow();
            // what the bench delivered (two singers per duet; RTCP counts too, hence the cap) and what the mixer mixed
            double delivered = voices <= 0 ? Double.NaN : Math.min(1.0, voices * frameSeconds / (2.0 * duets * window));
            double mixed = mixes <= 0 ? Double.NaN : Math.min(1.0, mixes * frameSeconds / (duets * window));
            double served = Double.isNaN(delivered) || Double.isNaN(mixed) ? 0 : Math.min(delivered, mixed);
            Run r = new Run(duets, window, served, cpu.processNanos() / 1e9, cpu.threads().mediaLoopNanos() / 1e9,
                    cpu.threads().udpReceiveNanos() / 1e9, cpu.compilerNanos() / 1e9, tick.p99Micros(), tick.missRatio(),
                    tick.ticks(), load);
            System.err.printf(Locale.ROOT, "bench: capacity (%s) D=%d over %.1f s: process %.3f s CPU (media loop %.3f,"
                            + " UDP receive %.3f, other threads %.3f: %s) = %.3f ms per duet-second without the JIT's;"
                            + " tick p99 %.0f us,"
                            + " %d of %d tick periods late; voices delivered %.3f, listener mixes sent %.3f of the load;"
                            + " load %s%n",
                    what, duets, window, r.processCpuSeconds(),
                    r.mediaLoopCpuSeconds(), r.udpCpuSeconds(), cpu.threads().otherNanos() / 1e9, cpu.busiestOthers(),
                    r.msPerDuetSecond(r.steadyCpuSeconds()), tick.p99Micros(), tick.deadlineMisses(), tick.ticks(),
                    delivered, mixed, load);
            return r;
        }
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average from a /proc/loadavg line; NaN if unknown. */
    static double loadOf(String loadavg) {
        try {
            return Double.parseDouble(loadavg.split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
