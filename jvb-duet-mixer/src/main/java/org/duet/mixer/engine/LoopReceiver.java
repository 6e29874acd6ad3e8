package org.duet.mixer.engine;

import org.duet.mixer.transport.PacketReceiver;

/**
 * Hands packets from a transport thread to a media loop: copies them into a pooled buffer and
 * queues them. A full pool or queue drops the packet and counts it; the transport never waits.
 */
public final class LoopReceiver implements PacketReceiver {

    private final MediaLoop loop;
    final PacketHandler handler;
    /** This sender's packets waiting in the loop's queue: at most its share, so one flood cannot fill it. */
    final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

    LoopReceiver(MediaLoop loop, PacketHandler handler) {
        this.loop = loop;
        this.handler = handler;
    }

    @Override
    public void onPacket(byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos) {
        loop.enqueue(this, buf, off, len, isRtcp, arrivalNanos);
    }
}
