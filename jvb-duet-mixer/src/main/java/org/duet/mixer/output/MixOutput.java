package org.duet.mixer.output;

import java.util.concurrent.ThreadLocalRandom;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.mix.PlayoutCursor;
import org.duet.mixer.mix.SoftLimiter;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.rtp.AudioLevelExtension;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpWriter;

/**
 * One outgoing mix: a singer's mix-minus, or the room's listener mix (one encode shared by every
 * listener). Each tick it reads its sources at one capture position (so they stay aligned), sums
 * them with their gains, limits, encodes one Opus frame and sends it as RTP to each subscriber.
 *
 * <p>When the mix is exactly one untouched voice, the output instead forwards that voice's
 * packets as they arrive, with only the RTP header rewritten: no decode, no re-encode, no wait for
 * the tick. Sequence numbers and timestamps stay continuous across switches between the two modes.
 *
 * <p>Owned by the media loop thread; nothing here allocates per tick or per packet.
 */
public final class MixOutput {

    private static final int MAX_SOURCES = 16;
    private static final int MAX_PACKET = 1500;

    private final String name;
    private final ServerClock clock;
    private final int tickSamples;
    private final OpusEncoder encoder;
    private final SoftLimiter limiter;
    private final PlayoutCursor cursor;
    private final long staleGuardSamples;

    private final MixSource[] sources = new MixSource[MAX_SOURCES];
    private final float[] gains = new float[MAX_SOURCES];
    private int sourceCount;
    private OutputSubscriber[] subscribers = new OutputSubscriber[0];
    /** Sees every mixed frame (a rehearsal take records the listener mix through it); null: none. */
    private MixTap tap;

    private final float[] mix;
    private final float[] fadeIn;
    private final short[] pcm;
    private final byte[] encoded = new byte[MAX_PACKET];
    private final byte[] packet = new byte[MAX_PACKET];
    private final RtpWriter rtpWriter = new RtpWriter();

    private final long ssrc;
    private int sequence;
    private long timestamp;
    private final long unixMinusNanoTime = ServerClock.unixNanosMinusNanoTime();

    // Forwarding state: output seq/ts = input seq/ts + offset, so input gaps stay visible as loss.
    private MixSource forwardSource;
    private boolean forwardOffsetsValid;
    private int forwardSeqOffset;
    private long forwardTsOffset;
    /** When (System.nanoTime) the media at RTP time {@code timestamp} is due: anchors Sender Reports. */
    private long timestampNanos;
    private boolean timestampAnchored;
    private long currentTickNanos;

    private long framesEncoded;
    private long packetsForwarded;
    private long encodeErrors;
    private long lastPositionRead;
    private float lastRms;

    public MixOutput(String name, ServerClock clock, int tickSamples, OpusEncoder encoder, SoftLimiter limiter,
                     PlayoutCursor cursor, long staleGuardSamples) {
        this.name = name;
        this.clock = clock;
        this.tickSamples = tickSamples;
        this.encoder = encoder;
        this.limiter = limiter;
        this.cursor = cursor;
        this.staleGuardSamples = staleGuardSamples;
        this.mix = new float[tickSamples];
        this.fadeIn = new float[tickSamples];
        this.pcm = new short[tickSamples * Math.max(1, encoder.channels())];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.ssrc = r.nextLong(1, 1L << 32);
        this.sequence = r.nextInt(1 << 16);
        this.timestamp = r.nextLong(1L << 32);
    }

    // ---- composition (changed on the loop thread when the room changes) ----

    /** The sources this output mixes, with their gains. Never includes the receiving singer. */
    public void setSources(MixSource[] newSources, float[] newGains, int count) {
        if (count > MAX_SOURCES) {
            throw new IllegalArgumentException("at most " + MAX_SOURCES + " sources per mix");
        }
        System.arraycopy(newSources, 0, sources, 0, count);
        System.arraycopy(newGains, 0, gains, 0, count);
        for (int i = count; i < sourceCount; i++) {
            sources[i] = null;
        }
        sourceCount = count;
    }

    /** Forward {@code source}'s packets untouched instead of mixing (null: mix). */
    public void setForwardSource(MixSource source) {
        if (source != forwardSource) {
            forwardSource = source;
            forwardOffsetsValid = false;
            cursor.invalidate();
        }
    }

    public MixSource forwardSource() {
        return forwardSource;
    }

    public void setSubscribers(OutputSubscriber[] subscribers) {
        this.subscribers = subscribers;
    }

    /** Sets what sees each mixed frame (also makes the output mix while nobody listens); null: none. */
    public void setTap(MixTap tap) {
        this.tap = tap;
    }

    public OutputSubscriber[] subscribers() {
        return subscribers;
    }

    // ---- the mix tick ----

    /** Produces and sends this tick's frame, unless the output forwards or nobody listens. */
    public void tick(long tickNanos) {
        if (forwardSource != null || (tap == null && !anyReceiverConnected())) {
            return; // nobody can hear it (no receiver, or none connected yet): no encoding either
        }
        currentTickNanos = tickNanos;
        long tickPosition = clock.toSamples(tickNanos);
        long available = Long.MAX_VALUE;
        boolean anyLive = false;
        for (int i = 0; i < sourceCount; i++) {
            MixSource s = sources[i];
            if (s.isStale(tickPosition)) {
                continue;
            }
            anyLive = true;
            available = Math.min(available, s.completeThrough(tickPosition));
        }
        if (!anyLive || available == Long.MAX_VALUE) {
            // Nothing waits for the network (only the backing track, or silence): run on server time.
            available = tickPosition;
        }
        long position = cursor.next(available);
        read(position, mix);
        if (cursor.jumped()) {
            // Blend from where we were reading to the new position over this tick.
            read(position, fadeIn);
            java.util.Arrays.fill(mix, 0f);
            read(cursor.jumpedFrom(), mix);
            for (int i = 0; i < tickSamples; i++) {
                float w = (i + 0.5f) / tickSamples;
                mix[i] = mix[i] * (1f - w) + fadeIn[i] * w;
            }
        }
        lastPositionRead = position;
        cursor.advance();
        encodeAndSend(position);
    }

    private boolean anyReceiverConnected() {
        for (OutputSubscriber s : subscribers) {
            if (s.transport.isConnected()) {
                return true;
            }
        }
        return false;
    }

    private void read(long position, float[] into) {
        java.util.Arrays.fill(into, 0f);
        for (int i = 0; i < sourceCount; i++) {
            sources[i].mixInto(position, gains[i], into, 0, tickSamples);
        }
    }

    private void encodeAndSend(long capturePosition) {
        float rms = limiter.process(mix, pcm, tickSamples);
        lastRms = rms;
        if (tap != null) {
            tap.mixed(pcm, tickSamples, capturePosition);
        }
        if (encoder.channels() == 2) {
            for (int i = tickSamples - 1; i >= 0; i--) { // duplicate mono into both channels, in place
                short v = pcm[i];
                pcm[2 * i] = v;
                pcm[2 * i + 1] = v;
            }
        }
        int len = encoder.encode(pcm, 0, tickSamples, encoded, 0, encoded.length);
        if (len < 0) {
            encodeErrors++;
            return;
        }
        framesEncoded++;
        int level = levelOf(rms);
        long captureNtp = NtpTime.fromUnixNanos(clock.toNanos(capturePosition) + unixMinusNanoTime);
        for (OutputSubscriber sub : subscribers) {
            rtpWriter.reset().payloadType(sub.format.payloadType()).sequenceNumber(sequence)
                    .timestamp(timestamp).ssrc(ssrc);
            if (sub.format.audioLevelExtensionId() != 0) {
                rtpWriter.addAudioLevel(sub.format.audioLevelExtensionId(), level < 127, level);
            }
            if (sub.format.absCaptureTimeExtensionId() != 0) {
                rtpWriter.addAbsCaptureTime(sub.format.absCaptureTimeExtensionId(), captureNtp);
            }
            int header = rtpWriter.write(packet, 0);
            if (header < 0 || header + len > packet.length) {
                continue;
            }
            System.arraycopy(encoded, 0, packet, header, len);
            sub.transport.sendRtp(packet, 0, header + len);
            sub.packetsSent++;
            sub.bytesSent += header + len;
        }
        sequence = (sequence + 1) & 0xFFFF;
        timestamp = (timestamp + tickSamples) & 0xFFFFFFFFL;
        timestampNanos = currentTickNanos + tickSamples * 1_000_000_000L / ServerClock.SAMPLE_RATE;
        timestampAnchored = true;
    }

    /** RFC 6464 level: -dBov, 0 (loudest) to 127 (silence). */
    private static int levelOf(float rms) {
        if (rms <= 1e-6f) {
            return 127;
        }
        int db = (int) Math.round(-20 * Math.log10(rms));
        return Math.max(0, Math.min(127, db));
    }

    // ---- forwarding ----

    /**
     * Sends {@code in} (a packet of the forwarded voice) on to the subscribers, with this output's
     * SSRC and continuous sequence numbers and timestamps.
     *
     * @param samples the packet's duration, to keep timestamps continuous on a later switch back
     */
    public void forward(RtpPacket in, int samples) {
        if (subscribers.length == 0) {
            return;
        }
        if (!forwardOffsetsValid) {
            forwardSeqOffset = (sequence - in.sequenceNumber()) & 0xFFFF;
            forwardTsOffset = (timestamp - in.timestamp()) & 0xFFFFFFFFL;
            forwardOffsetsValid = true;
        }
        int seq = (in.sequenceNumber() + forwardSeqOffset) & 0xFFFF;
        long ts = (in.timestamp() + forwardTsOffset) & 0xFFFFFFFFL;
        int payloadLen = in.payloadLength();
        for (OutputSubscriber sub : subscribers) {
            rtpWriter.reset().payloadType(sub.format.payloadType()).sequenceNumber(seq).timestamp(ts).ssrc(ssrc)
                    .marker(in.marker());
            int header = rtpWriter.write(packet, 0);
            if (header < 0 || header + payloadLen > packet.length) {
                continue;
            }
            System.arraycopy(in.buffer(), in.payloadOffset(), packet, header, payloadLen);
            sub.transport.sendRtp(packet, 0, header + payloadLen);
            sub.packetsSent++;
            sub.bytesSent += header + payloadLen;
        }
        packetsForwarded++;
        // Keep the mixing counters ahead of what was forwarded, for a seamless switch back.
        long end = (ts + samples) & 0xFFFFFFFFL;
        if (((end - timestamp) & 0xFFFFFFFFL) < (1L << 31)) {
            timestamp = end;
            sequence = (seq + 1) & 0xFFFF;
            timestampNanos = System.nanoTime() + samples * 1_000_000_000L / ServerClock.SAMPLE_RATE;
            timestampAnchored = true;
        }
    }

    // ---- RTCP sender report figures ----

    public long ssrc() {
        return ssrc;
    }

    /**
     * The RTP timestamp that corresponds to {@code nowNanos}, for a Sender Report (RFC 3550 6.4.1):
     * the next packet's timestamp moved by the time between {@code nowNanos} and when that packet's
     * media is due, at 48 kHz.
     */
    public long rtpTimestampAt(long nowNanos) {
        if (!timestampAnchored) {
            return timestamp;
        }
        long deltaSamples = Math.floorDiv((nowNanos - timestampNanos) * ServerClock.SAMPLE_RATE, 1_000_000_000L);
        return (timestamp + deltaSamples) & 0xFFFFFFFFL;
    }

    public long framesEncoded() {
        return framesEncoded;
    }

    public long packetsForwarded() {
        return packetsForwarded;
    }

    public long encodeErrors() {
        return encodeErrors;
    }

    public boolean isForwarding() {
        return forwardSource != null;
    }

    /** How far behind the tick this output read its sources last time, in samples. */
    public long lastReadPosition() {
        return lastPositionRead;
    }

    public int tickSamples() {
        return tickSamples;
    }

    public PlayoutCursor cursor() {
        return cursor;
    }

    public float lastRms() {
        return lastRms;
    }

    public String name() {
        return name;
    }

    public void close() {
        encoder.close();
    }
}
