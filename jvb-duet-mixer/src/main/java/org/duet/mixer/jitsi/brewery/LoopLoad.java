package org.duet.mixer.jitsi.brewery;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.duet.mixer.engine.MediaLoop;

/**
 * The share of one core the media loops used between two readings: the sum of their threads' CPU
 * time over the wall time. 0.07 means 7 % of one core; with two busy loops it can approach 2.
 * This, not the room count, is what the coordinator balances on: a room's cost depends on how
 * many mixes it encodes.
 */
final class LoopLoad {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<MediaLoop> loops;
    private long lastCpu = -1;
    private long lastWall;

    LoopLoad(List<MediaLoop> loops) {
        this.loops = loops;
    }

    /** Load since the previous call (0 on the first call). */
    synchronized double sample() {
        long cpu = 0;
        for (MediaLoop l : loops) {
            long id = l.threadId();
            if (id >= 0) {
                cpu += Math.max(0, threads.getThreadCpuTime(id));
            }
        }
        long wall = System.nanoTime();
        double load = lastCpu < 0 || wall == lastWall ? 0 : (double) (cpu - lastCpu) / (wall - lastWall);
        lastCpu = cpu;
        lastWall = wall;
        return Math.max(0, load);
    }
}
