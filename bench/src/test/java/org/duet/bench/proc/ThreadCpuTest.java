package org.duet.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void readsTheRunTimeFieldOfSchedstat() {
        assertThat(ThreadCpu.parseSchedstat("123456789 42 7\n")).isEqualTo(123456789L);
    }

    @Test
    void groupsThreadsByNameAndCountsNewThreadsFromZero() {
        ThreadCpu.Snapshot from = new ThreadCpu.Snapshot(Map.of("1", 100L, "2", 1_000L, "3", 50L),
                Map.of("1", "duet-media-0", "2", "duet-udp-rx", "3", "C2 CompilerThre"), 0);
        ThreadCpu.Snapshot to = new ThreadCpu.Snapshot(Map.of("1", 600L, "2", 1_200L, "3", 80L, "4", 9L),
                Map.of("1", "duet-media-0", "2", "duet-udp-rx", "3", "C2 CompilerThre", "4", "GC Thread#1"), 1_000);
        ThreadCpu.Usage u = ThreadCpu.between(from, to);
        assertThat(u.mediaLoopNanos()).isEqualTo(500);
        assertThat(u.udpReceiveNanos()).isEqualTo(200);
        assertThat(u.otherNanos()).isEqualTo(30 + 9);
        assertThat(u.wallNanos()).isEqualTo(1_000);
        // the JIT's share of "other", and the busiest of the rest by name (a pool's threads together)
        assertThat(ThreadCpu.compilerNanos(from, to)).isEqualTo(30);
        assertThat(ThreadCpu.busiestOthers(from, to, 4)).isEqualTo("C2 CompilerThre 0 ms, GC Thread# 0 ms");
    }

    @Test
    void aBusyThreadOfKnownCpuTimeIsChargedToItsGroup() throws Exception {
        // the machine is shared: fix the CPU the thread burns by its own clock, not by wall time
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long pid = ProcessHandle.current().pid();
        AtomicLong sink = new AtomicLong();
        ThreadCpu.Snapshot before = ThreadCpu.snapshot(pid);
        Thread busy = new Thread(() -> {
            long start = mx.getCurrentThreadCpuTime();
            long wallLimit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long x = 1;
            while (mx.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(80)
                    && System.nanoTime() < wallLimit) {
                for (int i = 0; i < 10_000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
            }
            sink.set(x);
            // stay alive until the snapshot below: a thread that ended is no longer listed
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "duet-media-test");
        busy.setDaemon(true);
        busy.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (busy.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            ThreadCpu.Usage u = ThreadCpu.between(before, ThreadCpu.snapshot(pid));
            assertThat(u.mediaLoopNanos()).isBetween(TimeUnit.MILLISECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(30));
        } finally {
            busy.interrupt();
        }
    }
}
