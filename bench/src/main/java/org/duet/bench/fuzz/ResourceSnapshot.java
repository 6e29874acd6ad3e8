package org.duet.bench.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What this process holds: open file descriptors (sockets included), live threads, heap in use after a GC. */
record ResourceSnapshot(long fds, int threads, long heapBytes) {

    static ResourceSnapshot now() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        } catch (IOException e) {
            fds = -1;
        }
        return new ResourceSnapshot(fds, ManagementFactory.getThreadMXBean().getThreadCount(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    @Override
    public String toString() {
        return fds + " fds, " + threads + " threads, " + (heapBytes >> 20) + " MiB heap";
    }
}
