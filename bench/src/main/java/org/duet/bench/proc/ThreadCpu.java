package org.duet.bench.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of another process's threads, grouped by thread name, from Linux's
 * {@code /proc/PID/task/TID/schedstat} (its first field: nanoseconds the thread ran on a CPU).
 * Where schedstat is missing it falls back to {@code stat}'s utime + stime (10 ms clock ticks).
 *
 * <p>CPU time, unlike tick timing, does not grow when the machine is loaded: a thread waiting for a
 * core is not charged for the wait. That is what makes it the capacity measure on a shared machine.
 */
public final class ThreadCpu {

    /** Thread-name prefixes of the groups (a JVM names its kernel tasks after its threads, 15 bytes). */
    public static final String MEDIA_LOOP = "duet-media";
    public static final String UDP_RECEIVE = "duet-udp";

    /** One reading: CPU nanoseconds per live thread id, with each thread's name, and the time it was taken. */
    public record Snapshot(Map<String, Long> cpuNanosByTid, Map<String, String> nameByTid, long wallNanos) {
    }

    /** CPU used between two snapshots, split into the media loops, UDP receive, and everything else. */
    public record Usage(long mediaLoopNanos, long udpReceiveNanos, long otherNanos, long wallNanos) {
        public long totalNanos() {
            return mediaLoopNanos + udpReceiveNanos + otherNanos;
        }
    }

    private ThreadCpu() {
    }

    public static Snapshot snapshot(long pid) {
        Map<String, Long> cpu = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        long wall = System.nanoTime();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String tid = task.getFileName().toString();
                    names.put(tid, Files.readString(task.resolve("comm")).trim());
                    cpu.put(tid, threadCpuNanos(task));
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            // the process is gone: an empty snapshot
        }
        return new Snapshot(cpu, names, wall);
    }

    static long threadCpuNanos(Path task) throws IOException {
        Path schedstat = task.resolve("schedstat");
        if (Files.isReadable(schedstat)) {
            return parseSchedstat(Files.readString(schedstat));
        }
        return ProcCpuSampler.parseCpuTicks(Files.readString(task.resolve("stat")))
                * (1_000_000_000L / ProcCpuSampler.USER_HZ);
    }

    /** The first of schedstat's three fields: time on a CPU in nanoseconds. */
    static long parseSchedstat(String text) {
        String t = text.trim();
        int space = t.indexOf(' ');
        return Long.parseLong(space < 0 ? t : t.substring(0, space));
    }

    /** CPU the JIT compiler threads (HotSpot's "C1/C2 CompilerThread#") used in between. */
    public static long compilerNanos(Snapshot from, Snapshot to) {
        long sum = 0;
        for (Map.Entry<String, Long> e : to.cpuNanosByTid().entrySet()) {
            long used = e.getValue() - from.cpuNanosByTid().getOrDefault(e.getKey(), 0L);
            if (used > 0 && to.nameByTid().getOrDefault(e.getKey(), "").matches("C[12] CompilerThr.*")) {
                sum += used;
            }
        }
        return sum;
    }

    /** The {@code count} threads outside the media loops and UDP receive that used most CPU in between, "name ms, ...". */
    public static String busiestOthers(Snapshot from, Snapshot to, int count) {
        Map<String, Long> byName = new HashMap<>();
        for (Map.Entry<String, Long> e : to.cpuNanosByTid().entrySet()) {
            long used = e.getValue() - from.cpuNanosByTid().getOrDefault(e.getKey(), 0L);
            String name = to.nameByTid().getOrDefault(e.getKey(), "");
            if (used > 0 && !name.startsWith(MEDIA_LOOP) && !name.startsWith(UDP_RECEIVE)) {
                byName.merge(name.replaceAll("#?[0-9]+$", "#"), used, Long::sum); // a pool's threads together
            }
        }
        StringBuilder out = new StringBuilder();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
                .forEach(e -> out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(e.getValue() / 1_000_000).append(" ms"));
        return out.toString();
    }

    /**
     * CPU between {@code from} and {@code to}. A thread that started in between counts from zero; one
     * that ended in between is missing from {@code to} and so not counted (the process total from
     * /proc/PID/stat keeps it, see {@link ProcCpuSampler}).
     */
    public static Usage between(Snapshot from, Snapshot to) {
        long media = 0, udp = 0, other = 0;
        for (Map.Entry<String, Long> e : to.cpuNanosByTid().entrySet()) {
            long used = e.getValue() - from.cpuNanosByTid().getOrDefault(e.getKey(), 0L);
            if (used < 0) {
                continue; // a reused thread id
            }
            String name = to.nameByTid().getOrDefault(e.getKey(), "");
            if (name.startsWith(MEDIA_LOOP)) {
                media += used;
            } else if (name.startsWith(UDP_RECEIVE)) {
                udp += used;
            } else {
                other += used;
            }
        }
        return new Usage(media, udp, other, to.wallNanos() - from.wallNanos());
    }
}
