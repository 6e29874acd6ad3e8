package org.duet.jitsi.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used so far (user + system, from {@code /proc/<pid>/stat}), to report the
 * share of a core a process took over a stretch of the run.
 */
final class CpuTime {

    /** The kernel's USER_HZ: /proc reports CPU times in these ticks (100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuTime() {
    }

    /** Seconds of CPU used by {@code pid} so far, or NaN when it cannot be read (gone, not Linux). */
    static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count from after it
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]); // field 14
            long stime = Long.parseLong(f[12]); // field 15
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The pid in {@code file} (a pid file), or -1. */
    static long pidIn(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
