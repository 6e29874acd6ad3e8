package org.duet.mixer.engine;

import org.duet.mixer.transport.PacketReceiver;

/**
 * Hands packets from a transport thread to a media loop: copies them into a pooled buffer and
 * queues them. A full pool or queue drops the packet and counts it; the transport never waits.
 */
public final class LoopReceiver implements PacketReceiver {

    private final MediaLoop loop;
    private final PacketHandler handler;

    LoopReceiver(MediaLoop loop, PacketHandler handler) {
        this.loop = loop;
        this.handler = handler;
    }

    @Override
    public void onPacket(byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos) {
        loop.enqueue(handler, buf, off, len, isRtcp, arrivalNanos);
    }
}
