package org.duet.bench.duet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.duet.bench.proc.ManagedProcess;
import org.duet.bench.workload.MixerUnderTest;

/**
 * Duet as the server under test: the mixer process ({@code org.duet.mixer.Main serve}, driven over
 * its HTTP API on a loopback port; or {@link DuetChildMain} over pipes where the web server is not
 * built) in its own JVM on the bench's classpath, pinned to one core, one media loop.
 * Each duet is a room with singer-a, singer-b and a listener added as plain-RTP participants.
 */
public final class DuetServer implements MixerUnderTest {

    private final ManagedProcess process;
    private final DuetControl api;
    private final Path backingTrack;
    /**
     * Whether the media loop and UDP receive threads get real-time priority: only with one loop.
     * One loop per core at real-time priority leaves no core to anything else of the mixer: a loop
     * behind after warm-up (code not compiled yet) runs its backlog at 100 % on every core, so the JIT
     * compiler cannot finish and the control thread never answers the bench's stats call ("no CPU
     * or tick snapshot", seen twice on 2026-12-02 with 20 and 13 duets per loop).
     */
    private final boolean realtimeLoops;
    private JsonNode windowStart;
    private JsonNode windowEnd;
    /** Where a JFR recording of the measured window goes (null: no recording). */
    private Path profileFile;
    /** The process's CPU by thread group, and its total from /proc/PID/stat, at the window's start and end. */
    private org.duet.bench.proc.ThreadCpu.Snapshot cpuStart;
    private org.duet.bench.proc.ThreadCpu.Snapshot cpuEnd;
    private long processCpuStart;
    private long processCpuEnd;

    /**
     * The mix tick over the measured window: ticks and deadline misses are counter deltas; the
     * p99 covers the window when the server can reset its tick histogram (the pipe child can),
     * else the process's life up to the window's end.
     */
    public record TickWindow(long ticks, long deadlineMisses, double p99Micros, double p50Micros) {
        public double missRatio() {
            return ticks == 0 ? Double.NaN : deadlineMisses / (double) ticks;
        }
    }

    private DuetServer(ManagedProcess process, DuetControl api, Path backingTrack, boolean realtimeLoops) {
        this.realtimeLoops = realtimeLoops;
        this.process = process;
        this.api = api;
        this.backingTrack = backingTrack;
    }

    /**
     * @param backingTrack a WAV each room plays under the voices, or null for none
     * @param properties   extra -D settings for the mixer (e.g. duet.opus.meter-allocation)
     */
    public static DuetServer start(Path dir, int core, int httpPort, Path backingTrack, Map<String, String> properties)
            throws IOException, InterruptedException {
        return start(dir, core, httpPort, backingTrack, properties, true);
    }

    /**
     * @param preferHttp drive {@code Main serve} over HTTP when the web server is built; false
     *                   always uses {@link DuetChildMain}, whose stats cover exactly the measured
     *                   window (GET /api/stats cannot reset the tick histogram)
     */
    public static DuetServer start(Path dir, int core, int httpPort, Path backingTrack, Map<String, String> properties,
                                   boolean preferHttp) throws IOException, InterruptedException {
        java.nio.file.Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms256m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:AutoBoxCacheMax=65536"); // as ./duet runs the mixer: the epoll selector's fd boxing stays cached
        cmd.add("-Dduet.http.port=" + httpPort);
        cmd.add("-Dduet.http.host=127.0.0.1");
        cmd.add("-Dduet.mixer.loops=1");
        cmd.add("-Dice4j.harvest.mapping.aws.enabled=false");
        cmd.add("-Dice4j.harvest.mapping.stun.enabled=false");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        // extra JVM options for the measured mixer (the profile run adds a JFR recording)
        for (String opt : System.getProperty("bench.duet.jvm-args", "").trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                cmd.add(opt);
            }
        }
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        boolean http = preferHttp && webServerBuilt() && !Boolean.getBoolean("bench.duet.child");
        ManagedProcess p;
        DuetControl api;
        if (http) {
            cmd.add("org.duet.mixer.Main");
            cmd.add("serve");
            p = ManagedProcess.start("duet", cmd, core, dir.resolve("duet.log"), dir, false);
            api = new DuetApi(URI.create("http://127.0.0.1:" + httpPort));
        } else {
            cmd.add(DuetChildMain.class.getName());
            p = ManagedProcess.startPiped("duet", cmd, core, dir.resolve("duet.log"), dir);
            api = new ChildControl(p.stdin(), p.stdout());
        }
        try {
            // generous: a niced JVM on a shared machine at load 20 took over a minute to start
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!api.ready()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("Duet did not start:\n" + p.tail(30));
                }
                Thread.sleep(200);
            }
            return new DuetServer(p, api, backingTrack, "1".equals(properties.getOrDefault("duet.mixer.loops", "1")));
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    public DuetControl api() {
        return api;
    }

    /** The bench's class path with every entry absolute (the child runs in another directory). */
    static String absoluteClassPath() {
        StringBuilder out = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                out.append(out.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(entry).toAbsolutePath());
            }
        }
        return out.toString();
    }

    /** Whether the standalone server (and so Main serve with the HTTP API) is on the classpath. */
    static boolean webServerBuilt() {
        try {
            Class.forName("org.duet.mixer.web.StandaloneServer", false, DuetServer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "duet";
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public DuetPorts addDuet(int index, InetSocketAddress singerA, InetSocketAddress singerB,
                             InetSocketAddress listener) throws IOException, InterruptedException {
        String room = "duet-" + index;
        InetSocketAddress a = api.addRtpParticipant(room, "a" + index, "singer-a", singerA);
        InetSocketAddress b = api.addRtpParticipant(room, "b" + index, "singer-b", singerB);
        InetSocketAddress l = api.addRtpParticipant(room, "l" + index, "listener", listener);
        if (index == 0 && realtimeLoops && !Boolean.getBoolean("bench.duet.no-realtime")) {
            // (a profiled run leaves them at normal priority: JFR's sampler thread must get to run)
            // the media loop and the UDP receive thread exist now
            org.duet.bench.proc.RealtimeThreads.promoteByPrefix(process.pid(), "duet-media", "duet-udp");
        }
        if (backingTrack != null) {
            api.setBackingTrack(room, backingTrack, 0.5);
        }
        return new DuetPorts(a, b, l);
    }

    /**
     * Records the measured window with JFR (profile settings) into {@code file}, through
     * {@code jcmd} at the window's start and end, so start-up and warm-up stay out of it.
     */
    public void recordProfile(Path file) {
        this.profileFile = file;
    }

    private void jcmd(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(process.pid()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("bench: jcmd failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void markWindow(boolean start) {
        if (profileFile != null) {
            if (start) {
                jcmd("JFR.start", "name=bench", "settings=profile");
            } else {
                jcmd("JFR.stop", "name=bench", "filename=" + profileFile.toAbsolutePath());
            }
        }
        if (!start) { // before the stats call, whose JSON the mixer builds on its own threads
            cpuEnd = org.duet.bench.proc.ThreadCpu.snapshot(process.pid());
            processCpuEnd = org.duet.bench.proc.ProcCpuSampler.cpuNanos(process.pid());
        }
        try {
            if (start) {
                api.resetTickStats();
                windowStart = api.stats();
            } else {
                windowEnd = statsOnceMore();
            }
        } catch (IOException e) {
            // a missing snapshot shows as NaN figures
            System.err.println("bench: no mixer stats at the window's " + (start ? "start" : "end") + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (start) { // after the reset and stats calls
            processCpuStart = org.duet.bench.proc.ProcCpuSampler.cpuNanos(process.pid());
            cpuStart = org.duet.bench.proc.ThreadCpu.snapshot(process.pid());
        }
    }

    /** The mixer's stats, asked twice if the first answer does not come (a starved control thread). */
    private JsonNode statsOnceMore() throws IOException, InterruptedException {
        try {
            return api.stats();
        } catch (IOException e) {
            System.err.println("bench: " + e.getMessage() + "; asking once more");
            return api.stats();
        }
    }

    /**
     * CPU the mixer process used over the last measured window: by thread group (media loops, UDP
     * receive, the rest: GC, JIT, control) and the process total (which also keeps threads that
     * ended in the window); null if a snapshot is missing.
     */
    public CpuWindow cpuWindow() {
        if (cpuStart == null || cpuEnd == null || processCpuStart < 0 || processCpuEnd < 0) {
            return null;
        }
        return new CpuWindow(org.duet.bench.proc.ThreadCpu.between(cpuStart, cpuEnd), processCpuEnd - processCpuStart,
                org.duet.bench.proc.ThreadCpu.busiestOthers(cpuStart, cpuEnd, 4),
                org.duet.bench.proc.ThreadCpu.compilerNanos(cpuStart, cpuEnd));
    }

    /**
     * Listener-mix packets the mixer sent over the last measured window (from its per-participant
     * counters); -1 if a snapshot is missing. A starved loop skips ticks, and so mixes less.
     */
    public long listenerPacketsOutInWindow() {
        if (windowStart == null || windowEnd == null) {
            return -1;
        }
        return sumOver(windowEnd, "listener", "packetsOut") - sumOver(windowStart, "listener", "packetsOut");
    }

    /** Packets (RTP and RTCP) the mixer received from singers over the last measured window; -1 if unknown. */
    public long singerPacketsInInWindow() {
        if (windowStart == null || windowEnd == null) {
            return -1;
        }
        return sumOver(windowEnd, "singer", "packetsIn") - sumOver(windowStart, "singer", "packetsIn");
    }

    private static long sumOver(JsonNode stats, String rolePrefix, String field) {
        long sum = 0;
        for (JsonNode room : stats.path("rooms")) {
            for (JsonNode p : room.path("participants")) {
                if (p.path("role").asText().startsWith(rolePrefix)) {
                    sum += p.path("stats").path(field).asLong();
                }
            }
        }
        return sum;
    }

    /** @param processNanos utime + stime of the whole process over the window (10 ms resolution) */
    /**
     * @param busiestOthers the threads outside the media loops and UDP receive that used most CPU ("name ms, ...")
     * @param compilerNanos of the process's CPU, what the JIT compiler threads used
     */
    public record CpuWindow(org.duet.bench.proc.ThreadCpu.Usage threads, long processNanos, String busiestOthers,
                            long compilerNanos) {
    }

    /** Heap in use right after a full collection, in bytes; -1 when the server cannot tell (HTTP mode). */
    public long heapAfterGc() throws IOException, InterruptedException {
        return api instanceof ChildControl c ? c.heapAfterGc() : -1;
    }

    /** The mixer's stats at the end of the last measured window; null if missing. */
    public JsonNode windowEndStats() {
        return windowEnd;
    }

    /** Tick figures of the last measured window; null if a snapshot is missing. */
    public TickWindow tickWindow() {
        if (windowStart == null || windowEnd == null) {
            return null;
        }
        JsonNode a = windowStart.path("tick"), b = windowEnd.path("tick");
        return new TickWindow(b.path("ticks").asLong() - a.path("ticks").asLong(),
                b.path("deadlineMisses").asLong() - a.path("deadlineMisses").asLong(),
                b.path("p99Micros").asDouble(Double.NaN), b.path("p50Micros").asDouble(Double.NaN));
    }

    /** Concealed frames / (packets in + concealed) over the singers, from GET /api/stats. */
    @Override
    public double reportedConcealedRate() {
        try {
            JsonNode stats = api.stats();
            long concealed = 0, in = 0;
            for (JsonNode room : stats.path("rooms")) {
                for (JsonNode p : room.path("participants")) {
                    if (p.path("role").asText().startsWith("singer")) {
                        concealed += p.path("stats").path("concealed").asLong();
                        in += p.path("stats").path("packetsIn").asLong();
                    }
                }
            }
            return in + concealed == 0 ? Double.NaN : concealed / (double) (in + concealed);
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
