package org.duet.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A child process the bench started: optionally pinned to one core with taskset (which execs the
 * command, so the pid is the server's own), output to a log file, and always ended: by
 * {@link #close()}, or by a JVM shutdown hook if the bench dies first.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ManagedProcess::kill), "bench-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Real-time round-robin priority for measured servers (chrt -r), so other work on a shared
     * machine does not preempt them. Janus (C, no JIT) runs wholly at it; for a JVM only the media
     * threads get it (see {@link RealtimeThreads}), or its JIT compiler threads, pinned to the same
     * core at the same priority, would hold the media loop off for whole round-robin slices.
     * Off with -Dbench.realtime=false.
     */
    static final int REALTIME_PRIORITY = 10;

    /**
     * @param core the CPU to pin to, or -1 for no pinning
     */
    public static ManagedProcess start(String name, List<String> command, int core, Path log, Path workDir)
            throws IOException {
        return start(name, command, core, log, workDir, false, true);
    }

    /** As {@link #start}, choosing whether the whole process gets real-time priority. */
    public static ManagedProcess start(String name, List<String> command, int core, Path log, Path workDir,
                                       boolean realtimeProcess) throws IOException {
        return start(name, command, core, log, workDir, false, realtimeProcess);
    }

    /**
     * Like {@link #start} but with stdin and stdout left as pipes to the bench (stderr goes to the
     * log), for a child driven by a line protocol.
     */
    public static ManagedProcess startPiped(String name, List<String> command, int core, Path log, Path workDir)
            throws IOException {
        return start(name, command, core, log, workDir, true, false);
    }

    private static ManagedProcess start(String name, List<String> command, int core, Path log, Path workDir,
                                        boolean piped, boolean realtimeProcess) throws IOException {
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            // core < 0: every core, explicitly, since a child inherits the bench's own pinning
            full.add("/usr/bin/taskset");
            full.add("-c");
            full.add(core >= 0 ? Integer.toString(core) : "0-" + (org.duet.bench.report.MachineInfo.current().nproc() - 1));
        }
        if (realtimeProcess && realtime()) {
            full.add("/usr/bin/chrt");
            full.add("-r");
            full.add(Integer.toString(REALTIME_PRIORITY));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full);
        if (piped) {
            pb.redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        } else {
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        }
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process p = pb.start();
        LIVE.add(p);
        return new ManagedProcess(name, p, log);
    }

    /** Whether servers run at real-time priority: root, chrt present, not switched off. */
    public static boolean realtime() {
        return !"false".equals(System.getProperty("bench.realtime")) && Files.isExecutable(Path.of("/usr/bin/chrt"))
                && "root".equals(System.getProperty("user.name"));
    }

    public long pid() {
        return process.pid();
    }

    /** The child's stdin (piped children only). */
    public java.io.Writer stdin() {
        return new java.io.OutputStreamWriter(process.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The child's stdout (piped children only). */
    public java.io.BufferedReader stdout() {
        return new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String name() {
        return name;
    }

    /** The last lines of the log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        kill(process);
        LIVE.remove(process);
    }

    private static void kill(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
