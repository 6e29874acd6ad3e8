package org.duet.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process from /proc/PID/stat (utime + stime, fields 14 and 15, in clock ticks;
 * children are not counted). Ticks are USER_HZ, which Linux fixes at 100 for /proc.
 */
public final class ProcCpuSampler {

    /** Linux reports /proc times in USER_HZ, 100 on every architecture the bench runs on. */
    public static final long USER_HZ = clockTicks();

    private final long pid;
    private long lastCpuNanos;
    private long lastWallNanos;

    public ProcCpuSampler(long pid) {
        this.pid = pid;
        reset();
    }

    /** Starts a new measurement window now. */
    public void reset() {
        lastCpuNanos = cpuNanos(pid);
        lastWallNanos = System.nanoTime();
    }

    /** CPU time used since the last reset divided by wall time since then (1.0 = one core). */
    public double coresSinceReset() {
        long cpu = cpuNanos(pid) - lastCpuNanos;
        long wall = System.nanoTime() - lastWallNanos;
        return wall <= 0 ? Double.NaN : cpu / (double) wall;
    }

    /** Total CPU time (user + system) the process has used, in nanoseconds; -1 if it is gone. */
    public static long cpuNanos(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return -1;
        }
        return parseCpuTicks(stat) * (TimeUnit.SECONDS.toNanos(1) / USER_HZ);
    }

    /**
     * utime + stime from the text of /proc/PID/stat. The command name (field 2) is in parentheses
     * and may contain spaces, so fields are counted after the last ')'.
     */
    public static long parseCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line");
        }
        String[] fields = stat.substring(close + 2).trim().split("\\s+");
        // fields[0] is field 3 (state); utime is field 14, stime field 15
        long utime = Long.parseLong(fields[14 - 3]);
        long stime = Long.parseLong(fields[15 - 3]);
        return utime + stime;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            try {
                if (p.waitFor(5, TimeUnit.SECONDS)) {
                    String out = new String(p.getInputStream().readAllBytes()).trim();
                    long v = Long.parseLong(out);
                    if (v > 0) {
                        return v;
                    }
                }
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the Linux constant
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
