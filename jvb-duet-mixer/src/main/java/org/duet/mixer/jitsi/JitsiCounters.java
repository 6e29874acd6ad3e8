package org.duet.mixer.jitsi;

import java.util.concurrent.atomic.AtomicLongArray;

/** Refusals by reason, plus event counts; thread-safe, allocation-free to bump. */
public final class JitsiCounters {

    private final AtomicLongArray drops = new AtomicLongArray(JitsiDropReason.values().length);
    private final java.util.concurrent.atomic.AtomicLong mediaIn = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong mediaOut = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pings = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong connections = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong reanchors = new java.util.concurrent.atomic.AtomicLong();

    public void drop(JitsiDropReason reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    public long drops(JitsiDropReason reason) {
        return drops.get(reason.ordinal());
    }

    public long totalDrops() {
        long n = 0;
        for (int i = 0; i < drops.length(); i++) {
            n += drops.get(i);
        }
        return n;
    }

    void mediaIn() {
        mediaIn.incrementAndGet();
    }

    void mediaOut() {
        mediaOut.incrementAndGet();
    }

    void ping() {
        pings.incrementAndGet();
    }

    void connection() {
        connections.incrementAndGet();
    }

    void reanchor() {
        reanchors.incrementAndGet();
    }

    /** Media events received and handed to the media loop. */
    public long mediaEventsIn() {
        return mediaIn.get();
    }

    /** Media events sent to the bridge. */
    public long mediaEventsOut() {
        return mediaOut.get();
    }

    public long pings() {
        return pings.get();
    }

    /** WebSocket connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    /** Times an exported source's stream was re-anchored (a new {@code start}, or its timestamps restarted). */
    public long reanchors() {
        return reanchors.get();
    }
}
