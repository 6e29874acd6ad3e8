package org.duet.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcCpuSamplerTest {

    @Test
    void parsesUtimeAndStimeAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 567 0 0 20 0 30 0 99 0 0";
        assertThat(ProcCpuSampler.parseCpuTicks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void aBusyLoopOfKnownCpuTimeIsReadBackFromProc() {
        // the machine is shared, so fix the CPU time the loop burns (by the thread's own clock),
        // not its wall time, and expect /proc to show that much more for this process
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long pid = ProcessHandle.current().pid();
        long before = ProcCpuSampler.cpuNanos(pid);
        long start = threads.getCurrentThreadCpuTime();
        long spins = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (threads.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(600)
                && System.nanoTime() < deadline) {
            spins++;
        }
        long burned = threads.getCurrentThreadCpuTime() - start;
        long read = ProcCpuSampler.cpuNanos(pid) - before;
        assertThat(spins).isPositive();
        assertThat(burned).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(600));
        // 10 ms clock ticks at each end; other JVM threads (JIT, GC, the test runner) add some, but a
        // wrong tick rate or field would be off by a factor of ten or more
        assertThat(read).isBetween(burned - TimeUnit.MILLISECONDS.toNanos(30), 2 * burned);
    }

    @Test
    void coresPerWallTimeOfASleepingProcessIsSmall() throws Exception {
        // A separate sleeping process: this JVM's own JIT and GC threads would blur the figure.
        Process sleeper = new ProcessBuilder("sleep", "5").start();
        try {
            ProcCpuSampler sampler = new ProcCpuSampler(sleeper.pid());
            Thread.sleep(600);
            assertThat(sampler.coresSinceReset()).isBetween(0.0, 0.05);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aMissingProcessReadsAsGone() {
        assertThat(ProcCpuSampler.cpuNanos(Integer.MAX_VALUE - 1)).isEqualTo(-1);
    }
}
