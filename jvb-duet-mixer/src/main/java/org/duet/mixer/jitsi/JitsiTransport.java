package org.duet.mixer.jitsi;

import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpWriter;
import org.duet.mixer.transport.PacketReceiver;
import org.duet.mixer.transport.PacketTransport;

/**
 * A participant of a Jitsi conference as the engine sees it: the {@link PacketTransport} beside
 * plain UDP and WebRTC.
 *
 * <p>In: an exported source's {@code media} events become RTP-shaped frames (a synthesized SSRC
 * per stream epoch, sequence from {@code chunk}, timestamp from {@code timestamp}, no header
 * extensions, no RTCP) handed to the media loop like any received datagram, so the same
 * jitter buffer, decoder and timeline take them. With no RTCP the capture time comes from the
 * arrival-based estimate.
 *
 * <p>Out: the RTP packets of this participant's mix (its mix-minus, or the listener mix for a
 * {@code .duetmix} participant) go to the synthetic streams bound to it, as {@code media} events.
 * RTCP has no place in mediajson and is dropped.
 */
final class JitsiTransport implements PacketTransport {

    private static final SyntheticStream[] NONE = new SyntheticStream[0];

    private final String description;
    private volatile PacketReceiver receiver;
    volatile SyntheticStream[] streams = NONE;
    private volatile boolean closed;
    /** A voice this mixer took over mid-duet from another (the front said so): not calibrated again at join. */
    volatile boolean resumed;

    // inbound (the owning connection's thread; guarded by this for a takeover by another connection)
    /** Fixed header plus an abs-capture-time element (4 + 12 bytes), then the payload. */
    private final byte[] frame = new byte[RtpPacket.FIXED_HEADER_LENGTH + 16 + MediaJsonEventLimits.MAX_PAYLOAD];
    private final RtpWriter header = new RtpWriter();
    // outbound (media loop thread only)
    private final RtpPacket out = new RtpPacket();

    JitsiTransport(String description) {
        this.description = description;
    }

    @Override
    public void setReceiver(PacketReceiver receiver) {
        this.receiver = receiver;
    }

    /** Hands one media frame to the media loop (the transport copies into a pooled buffer there). */
    synchronized void deliver(int seq, long ts, long ssrc, int payloadType, byte[] payload, int len, long arrivalNanos) {
        PacketReceiver r = receiver;
        if (r == null || closed) {
            return;
        }
        // a capture time the singer's page wrote into the packet goes to the engine the way a
        // WebRTC sender's abs-capture-time does (CaptureStamp)
        long captureNtp = CaptureStamp.captureNtp(payload, len);
        header.reset().payloadType(payloadType).sequenceNumber(seq & 0xFFFF).timestamp(ts & 0xFFFF_FFFFL).ssrc(ssrc);
        if (captureNtp != 0) {
            header.addAbsCaptureTime(CaptureStamp.EXTENSION_ID, captureNtp);
        }
        int headerLength = header.write(frame, 0);
        System.arraycopy(payload, 0, frame, headerLength, len);
        r.onPacket(frame, 0, headerLength + len, false, arrivalNanos);
    }

    @Override
    public void sendRtp(byte[] buf, int off, int len) {
        SyntheticStream[] to = streams;
        if (to.length == 0 || closed) {
            return;
        }
        if (out.parse(buf, off, len) != RtpDropReason.NONE) {
            return;
        }
        for (SyntheticStream s : to) {
            s.send(this, out.sequenceNumber(), out.timestamp(), out.buffer(), out.payloadOffset(), out.payloadLength());
        }
    }

    @Override
    public void sendRtcp(byte[] buf, int off, int len) {
        // mediajson carries no RTCP: the bridge terminates RTCP with the clients itself
    }

    @Override
    public boolean calibrateAtJoin() {
        return !resumed;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        closed = true;
        streams = NONE;
    }
}
