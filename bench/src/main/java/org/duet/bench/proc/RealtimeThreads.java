package org.duet.bench.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Gives named threads of this JVM real-time round-robin priority (chrt -r -p on their Linux task
 * ids, found by name in /proc/self/task), so the bench's pacing and receiving threads keep time on
 * a busy machine. A no-op where {@link ManagedProcess#realtime()} is off.
 */
public final class RealtimeThreads {

    private RealtimeThreads() {
    }

    /** Promotes threads of this JVM by exact name; @return how many were promoted */
    public static int promote(String... threadNames) {
        return promote("self", false, threadNames);
    }

    /**
     * Promotes threads of process {@code pid} whose kernel name starts with one of {@code prefixes}
     * (a JVM names its threads after the Java thread names, cut to 15 bytes).
     */
    public static int promoteByPrefix(long pid, String... prefixes) {
        return promote(Long.toString(pid), true, prefixes);
    }

    private static int promote(String pid, boolean byPrefix, String... threadNames) {
        if (!ManagedProcess.realtime()) {
            return 0;
        }
        int promoted = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
            for (Path task : tasks) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                } catch (IOException e) {
                    continue; // the thread ended
                }
                for (String name : threadNames) {
                    // the kernel keeps the first 15 bytes of a thread name
                    String kernelName = name.length() > 15 ? name.substring(0, 15) : name;
                    if (byPrefix ? comm.startsWith(kernelName) : comm.equals(kernelName)) {
                        if (chrt(task.getFileName().toString())) {
                            promoted++;
                        }
                    }
                }
            }
        } catch (IOException e) {
            return promoted;
        }
        return promoted;
    }

    private static boolean chrt(String tid) {
        try {
            Process p = new ProcessBuilder("/usr/bin/chrt", "-r", "-p", Integer.toString(ManagedProcess.REALTIME_PRIORITY),
                    tid).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
