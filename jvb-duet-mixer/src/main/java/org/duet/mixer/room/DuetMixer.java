package org.duet.mixer.room;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.engine.MediaLoop;
import org.duet.mixer.session.MediaFactory;

/**
 * The engine's entry point: media loop threads and the rooms spread over them. Signaling (the
 * standalone server, the Jitsi integration, the HTTP API) talks to rooms through this.
 */
public final class DuetMixer implements AutoCloseable {

    private final DuetConfig config;
    private final ServerClock clock = ServerClock.startingNow();
    private final MediaFactory factory;
    private final List<MediaLoop> loops = new ArrayList<>();
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();

    private DuetMixer(DuetConfig config) {
        this.config = config;
        this.factory = new MediaFactory(config, clock);
        for (int i = 0; i < config.loops(); i++) {
            MediaLoop loop = new MediaLoop("duet-media-" + i, config.tick().toNanos(), config.inboundQueue());
            loop.start();
            loops.add(loop);
        }
    }

    public static DuetMixer start(DuetConfig config) {
        return new DuetMixer(config);
    }

    public DuetConfig config() {
        return config;
    }

    /** The room called {@code name}, created on the least busy media loop if new. */
    public Room openRoom(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("room name must be 1-64 letters, digits, '.', '_' or '-'");
        }
        return rooms.computeIfAbsent(name, n -> new Room(n, leastBusyLoop(), factory));
    }

    public Room room(String name) {
        return name == null ? null : rooms.get(name);
    }

    public Collection<Room> rooms() {
        return List.copyOf(rooms.values());
    }

    /** Closes a room and disconnects everyone in it. */
    public void closeRoom(String name) {
        Room r = rooms.remove(name);
        if (r != null) {
            r.close();
        }
    }

    private MediaLoop leastBusyLoop() {
        MediaLoop best = loops.get(0);
        for (MediaLoop l : loops) {
            if (l.taskCount() < best.taskCount()) {
                best = l;
            }
        }
        return best;
    }

    public List<MediaLoop> loops() {
        return List.copyOf(loops);
    }

    /** What the media path refused, by stage and reason (the loops' own inbound drops: {@link #loops()}). */
    public org.duet.mixer.engine.MediaDrops drops() {
        return factory.drops();
    }

    public MixerStats stats() {
        Histogram ticks = null;
        long tickCount = 0;
        long misses = 0;
        long handled = 0;
        long dropped = 0;
        long allocated = 0;
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (MediaLoop l : loops) {
            Histogram h = l.tickHistogram();
            if (ticks == null) {
                ticks = h;
            } else {
                ticks.add(h);
            }
            tickCount += l.ticks();
            misses += l.deadlineMisses();
            handled += l.packetsHandled();
            dropped += l.packetsDropped();
            if (l.threadId() >= 0) {
                allocated += Math.max(0, threads.getThreadAllocatedBytes(l.threadId()));
            }
        }
        long out = 0;
        int participants = 0;
        for (Room r : rooms.values()) {
            for (Participant p : r.participants()) {
                participants++;
                out += p.media.packetsSent();
            }
        }
        double p50 = ticks == null || ticks.getTotalCount() == 0 ? 0 : ticks.getValueAtPercentile(50);
        double p99 = ticks == null || ticks.getTotalCount() == 0 ? 0 : ticks.getValueAtPercentile(99);
        double max = ticks == null ? 0 : ticks.getMaxValue();
        org.duet.mixer.engine.CodecMeter meter = org.duet.mixer.engine.CodecMeter.global();
        return new MixerStats(p50, p99, max, tickCount, misses, handled, out, dropped, allocated,
                meter.allocatedBytes(), meter.calls(), rooms.size(), participants);
    }

    /** Forgets tick timings so far (benchmarks call this after warm-up). */
    public void resetTickStats() {
        for (MediaLoop l : loops) {
            l.resetTickStats();
        }
    }

    @Override
    public void close() {
        for (String name : List.copyOf(rooms.keySet())) {
            closeRoom(name);
        }
        for (MediaLoop l : loops) {
            l.close();
        }
    }
}
