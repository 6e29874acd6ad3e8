package org.duet.coordinator.front;

import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One direction of a relay: text frames into one WebSocket, without waiting. Jetty queues each frame and
 * calls back when it is written; at most {@code max-in-flight} may wait, beyond that a frame is dropped
 * and counted (a slow peer costs its own frames, never a thread). Frames complete in order, so a ring of
 * receipt times gives each frame's added delay with no allocation per frame.
 */
final class Pipe implements Callback {

    private final Session out;
    private final FrontCounters counters;
    private final LongAdder droppedSlow;
    private final long[] receivedAt;
    private final int mask;
    private long head; // next frame to complete
    private long tail; // next free slot

    Pipe(Session out, int maxInFlight, FrontCounters counters, LongAdder droppedSlow) {
        int cap = Integer.highestOneBit(Math.max(1, maxInFlight - 1)) << 1;
        this.out = out;
        this.counters = counters;
        this.droppedSlow = droppedSlow;
        this.receivedAt = new long[cap];
        this.mask = cap - 1;
    }

    /** Queues {@code text}; false if the peer is too far behind (dropped, counted) or closed. */
    boolean send(String text, long receivedNanos) {
        if (!out.isOpen()) {
            return false;
        }
        synchronized (this) {
            if (tail - head >= receivedAt.length) {
                droppedSlow.increment();
                return false;
            }
            receivedAt[(int) (tail++ & mask)] = receivedNanos;
        }
        out.sendText(text, this);
        return true;
    }

    int inFlight() {
        synchronized (this) {
            return (int) (tail - head);
        }
    }

    @Override
    public void succeed() {
        long t;
        synchronized (this) {
            t = receivedAt[(int) (head++ & mask)];
        }
        counters.recordRelayDelay(System.nanoTime() - t);
    }

    @Override
    public void fail(Throwable x) {
        synchronized (this) {
            head++;
        }
        counters.sendFailures.increment();
    }

    Session session() {
        return out;
    }
}
