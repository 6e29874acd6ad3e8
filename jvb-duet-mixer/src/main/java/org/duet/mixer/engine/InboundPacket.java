package org.duet.mixer.engine;

import org.duet.mixer.format.DatagramLimits;

/**
 * A received packet on its way from a transport thread to the media loop. Instances are pooled
 * and reused; nothing is allocated per packet.
 */
final class InboundPacket {
    final byte[] data = new byte[DatagramLimits.MAX_DATAGRAM];
    int length;
    boolean rtcp;
    long arrivalNanos;
    PacketHandler target;
    LoopReceiver owner;
}
