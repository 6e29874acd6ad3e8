package org.duet.mixer.output;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.mix.PlayoutCursor;
import org.duet.mixer.mix.SoftLimiter;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
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
 * <p>Receivers of one output may need different encoder settings (a lossy path wants FEC and a
 * lower bitrate, see {@code org.duet.mixer.adapt}): the output then encodes the same mixed PCM once
 * per distinct setting ({@link EncodeLane}), so cost grows with the number of distinct network
 * conditions, not with the number of receivers. Sequence numbers are kept per receiver (lanes may
 * send 10 or 20 ms packets), timestamps per output, so a receiver moving between lanes sees one
 * continuous stream.
 *
 * <p>Owned by the media loop thread; nothing here allocates per tick or per packet.
 */
public final class MixOutput {

    private static final int MAX_SOURCES = 16;
    /**
     * A measuring aid, with the Jitsi transport's frame trace ({@code -Dduet.debug.frames=true}):
     * logs each step of this output's cursor, so that a test reading the mix by its media time can
     * tell a step (both voices move together) from two voices moving apart.
     */
    private static final boolean TRACE_STEPS = Boolean.getBoolean("duet.debug.frames");
    private static final org.slf4j.Logger STEP_LOG = org.slf4j.LoggerFactory.getLogger("org.duet.mixer.jitsi.FrameTrace");
    private static final int MAX_PACKET = 1500;
    /** The longest frame the default encoder sends: six ticks (60 ms at a 10 ms tick). */
    public static final int MAX_FRAME_TICKS = 6;

    private final String name;
    private final ServerClock clock;
    private final int tickSamples;
    private final EncodeLane defaultLane;
    private EncodeLane[] lanes;
    private EncoderSource encoderSource;
    private final Set<OpusSettings> pendingLanes = new HashSet<>();
    private boolean closed;
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
    private long timestamp;
    private final long unixMinusNanoTime = ServerClock.unixNanosMinusNanoTime();

    // Forwarding state: output seq/ts = input seq/ts + offset, so input gaps stay visible as loss.
    private MixSource forwardSource;
    private boolean forwardOffsetsValid;
    private long forwardTsOffset;
    /** When (System.nanoTime) the media at RTP time {@code timestamp} is due: anchors Sender Reports. */
    private long timestampNanos;
    private boolean timestampAnchored;
    private long currentTickNanos;
    /** The previous mixed tick's time (MIN_VALUE: none yet, or the output forwarded since). */
    private long lastMixedTickNanos = Long.MIN_VALUE;
    private long ticksSkipped;
    /** Ticks left in the current room tick, for the default encoder's next frame. */
    private int nextDefaultFrameTicks = 1;

    private long framesEncoded;
    private long packetsForwarded;
    private long encodeErrors;
    private long lastPositionRead;
    /**
     * The stream's own media time as a server position: set to the tick position when mixing (re)starts,
     * then moved exactly as the RTP timestamps are (a tick per tick, the skipped ticks' gap), not by the
     * room's tick phase. See {@link #streamReadDelay()}.
     */
    private long streamPosition;
    private long lastStreamReadDelay;
    private float lastRms;

    public MixOutput(String name, ServerClock clock, int tickSamples, OpusEncoder encoder, SoftLimiter limiter,
                     PlayoutCursor cursor, long staleGuardSamples) {
        this(name, clock, tickSamples, encoder, null, limiter, cursor, staleGuardSamples);
    }

    /**
     * @param settings what {@code encoder} was built with (the default encoder class; its frame size
     *                 must be the tick), or null when unknown
     */
    public MixOutput(String name, ServerClock clock, int tickSamples, OpusEncoder encoder, OpusSettings settings,
                     SoftLimiter limiter, PlayoutCursor cursor, long staleGuardSamples) {
        this(name, clock, tickSamples, encoder, settings, limiter, cursor, staleGuardSamples,
                org.duet.mixer.rtp.RtpRandomness.perThread());
    }

    /** @param random draws the SSRC and first timestamp (a simulation's seeded source, see RtpRandomness) */
    public MixOutput(String name, ServerClock clock, int tickSamples, OpusEncoder encoder, OpusSettings settings,
                     SoftLimiter limiter, PlayoutCursor cursor, long staleGuardSamples,
                     java.util.random.RandomGenerator random) {
        this.name = name;
        this.clock = clock;
        this.tickSamples = tickSamples;
        OpusSettings defaults = settings != null && settings.frameSamples() == tickSamples ? settings : null;
        this.defaultLane = new EncodeLane(defaults, encoder, tickSamples, tickSamples * MAX_FRAME_TICKS);
        this.lanes = new EncodeLane[] {defaultLane};
        this.limiter = limiter;
        this.cursor = cursor;
        this.staleGuardSamples = staleGuardSamples;
        this.mix = new float[tickSamples];
        this.fadeIn = new float[tickSamples];
        this.pcm = new short[tickSamples];
        this.ssrc = random.nextLong(1, 1L << 32);
        this.timestamp = random.nextLong(1L << 32);
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
        rebuildLanes();
    }

    // ---- encoder classes (changed on the loop thread when a receiver's network changes) ----

    /** Where encoders for new classes come from; without one every receiver stays on the default. */
    public void setEncoderSource(EncoderSource source) {
        this.encoderSource = source;
    }

    /**
     * Asks that {@code sub} receive frames encoded with {@code wanted} (null: the output's default).
     * Takes effect at once when a lane with those settings exists, else when its encoder arrives.
     */
    public void setSubscriberSettings(OutputSubscriber sub, OpusSettings wanted) {
        OpusSettings w = wanted != null && wanted.equals(defaultLane.settings) ? null : wanted;
        sub.wanted = w;
        if (w != null && laneFor(w) == null) {
            if (w.frameSamples() % tickSamples != 0 || encoderSource == null) {
                sub.wanted = null; // a frame size the tick cannot fill: stay on the default
            } else if (pendingLanes.add(w)) {
                encoderSource.requestEncoder(this, w);
            }
        }
        rebuildLanes();
    }

    /** A new encoder class, built off the loop after {@link EncoderSource#requestEncoder}. */
    public void addLane(OpusSettings settings, OpusEncoder encoder) {
        pendingLanes.remove(settings);
        if (closed || laneFor(settings) != null) {
            encoder.close();
            return;
        }
        EncodeLane[] grown = java.util.Arrays.copyOf(lanes, lanes.length + 1);
        grown[lanes.length] = new EncodeLane(settings, encoder, settings.frameSamples());
        lanes = grown;
        rebuildLanes();
    }

    private EncodeLane laneFor(OpusSettings s) {
        for (EncodeLane lane : lanes) {
            if (lane != defaultLane && lane.settings.equals(s)) {
                return lane;
            }
        }
        return null;
    }

    /** Puts each subscriber in the lane it wants (when it exists) and closes lanes nobody uses. */
    private void rebuildLanes() {
        List<EncodeLane> kept = new ArrayList<>();
        for (EncodeLane lane : lanes) {
            List<OutputSubscriber> subs = new ArrayList<>();
            for (OutputSubscriber sub : subscribers) {
                if (placeOf(sub) == lane) {
                    subs.add(sub);
                }
            }
            if (lane != defaultLane && subs.isEmpty()) {
                lane.encoder.close();
                continue;
            }
            for (OutputSubscriber sub : subs) {
                sub.lane = lane;
            }
            lane.subscribers = subs.toArray(new OutputSubscriber[0]);
            kept.add(lane);
        }
        lanes = kept.toArray(new EncodeLane[0]);
    }

    /** The lane it wants when that exists, else (while its encoder is being built) the one it is in. */
    private EncodeLane placeOf(OutputSubscriber sub) {
        if (sub.wanted == null) {
            return defaultLane;
        }
        EncodeLane target = laneFor(sub.wanted);
        if (target != null) {
            return target;
        }
        for (EncodeLane lane : lanes) {
            if (lane == sub.lane) {
                return lane;
            }
        }
        return defaultLane;
    }

    /** Encoders that currently encode for at least one receiver (the default one counts when used). */
    public int activeEncoders() {
        int n = 0;
        for (EncodeLane lane : lanes) {
            if (lane.subscribers.length > 0) {
                n++;
            }
        }
        return n;
    }

    /** The settings {@code sub} is receiving now (null: the default encoder's). */
    public OpusSettings settingsOf(OutputSubscriber sub) {
        EncodeLane lane = sub.lane;
        return lane == null ? null : lane.settings;
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
        tick(tickNanos, 1);
    }

    /**
     * Produces this tick's audio as part of a room tick that covers {@code ticksLeft} ticks from this
     * one on (a room whose singers send 20 ms packets runs two ticks at once, just after each
     * packet). The default encoder's frames span the rest of the room tick, so a room tick's audio
     * leaves as one frame the moment it is mixed: 20 ms frames for 20 ms inputs, 10 ms for 10 ms.
     */
    public void tick(long tickNanos, int ticksLeft) {
        nextDefaultFrameTicks = ticksLeft;
        if (forwardSource != null || (tap == null && !anyReceiverConnected())) {
            lastMixedTickNanos = Long.MIN_VALUE;
            return; // nobody can hear it (no receiver, or none connected yet): no encoding either
        }
        long tickPosition = clock.toSamples(tickNanos);
        if (lastMixedTickNanos == Long.MIN_VALUE) {
            streamPosition = tickPosition; // (re)starting to mix: the stream's timing starts here
        }
        keepTimestampsOnTheClock(tickNanos);
        currentTickNanos = tickNanos;
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
            if (TRACE_STEPS) {
                STEP_LOG.info("cursor step {} {} {}", name, cursor.jumpedFrom(), position);
            }
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
        lastStreamReadDelay = streamPosition - tickSamples - position;
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

    /**
     * A media loop that fell far behind skips ticks rather than bursting out their frames
     * (engine/MediaLoop). The stream's RTP timestamps must still follow the clock: a receiver's
     * jitter buffer measures each packet's delay as arrival minus media time, so a stream whose
     * timestamps fell behind by every skipped tick looks to it as if each packet came later and later,
     * and it grows its buffer for ever (seen on the Jitsi path: Duet's streams 4.6 s behind their
     * best case after a minute on a starved machine, Chromium holding them 0.3-0.6 s where it held
     * the bridge's direct streams 0.1 s). So the skipped time is a gap in the timestamps, the read
     * position moves on with it, and the receiver conceals the gap like a loss. A room that moves its
     * tick phase gets one interval of half a tick to a tick and a half; that is not a skip.
     */
    private void keepTimestampsOnTheClock(long tickNanos) {
        long last = lastMixedTickNanos;
        lastMixedTickNanos = tickNanos;
        if (last == Long.MIN_VALUE) {
            return;
        }
        long tickDurationNanos = tickSamples * 1_000_000_000L / ServerClock.SAMPLE_RATE;
        long elapsed = tickNanos - last;
        if (elapsed <= 2 * tickDurationNanos) {
            return;
        }
        long missed = Math.round((double) elapsed / tickDurationNanos) - 1;
        timestamp = (timestamp + missed * tickSamples) & 0xFFFFFFFFL;
        streamPosition += missed * tickSamples;
        cursor.skip(missed);
        for (EncodeLane lane : lanes) {
            lane.restart(); // a frame half gathered before the gap would span it
        }
        ticksSkipped += missed;
    }

    /** Ticks the loop skipped while this output mixed, each a gap in its timestamps. */
    public long ticksSkipped() {
        return ticksSkipped;
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
        int level = levelOf(rms);
        long captureNtp = NtpTime.fromUnixNanos(clock.toNanos(capturePosition) + unixMinusNanoTime);
        EncodeLane[] ls = lanes;
        defaultLane.nextFrameSamples(frameSamplesFor(nextDefaultFrameTicks));
        for (EncodeLane lane : ls) {
            if (lane.subscribers.length == 0) {
                lane.restart();
                continue;
            }
            if (!lane.append(pcm, tickSamples, timestamp)) {
                continue; // a longer frame: wait for the next tick
            }
            lane.gathered = 0;
            int len = lane.encoder.encode(lane.pcm, 0, lane.frameSamples, encoded, 0, encoded.length);
            if (len < 0) {
                encodeErrors++;
                continue;
            }
            framesEncoded++;
            lane.framesEncoded++;
            sendToLane(lane, len, level, captureNtp);
        }
        timestamp = (timestamp + tickSamples) & 0xFFFFFFFFL;
        streamPosition += tickSamples;
        timestampNanos = currentTickNanos + tickSamples * 1_000_000_000L / ServerClock.SAMPLE_RATE;
        timestampAnchored = true;
    }

    /**
     * The longest Opus frame (2.5 to 60 ms) of at most {@code ticks} ticks: the rest of the room tick
     * when Opus has that length (10, 20, 40, 60 ms at a 10 ms tick), else fewer ticks, whose frame
     * ends before the room tick does so the next frame takes the rest.
     */
    private int frameSamplesFor(int ticks) {
        for (int t = Math.max(1, Math.min(MAX_FRAME_TICKS, ticks)); t > 1; t--) {
            switch (t * tickSamples) {
                case 120, 240, 480, 960, 1920, 2880 -> {
                    return t * tickSamples;
                }
                default -> {
                }
            }
        }
        return tickSamples;
    }

    private void sendToLane(EncodeLane lane, int len, int level, long captureNtp) {
        long ts = lane.frameTimestamp;
        long end = (ts + lane.frameSamples) & 0xFFFFFFFFL;
        for (OutputSubscriber sub : lane.subscribers) {
            if (sub.started && ((sub.nextTimestamp - ts) & 0xFFFFFFFFL) != 0
                    && ((sub.nextTimestamp - ts) & 0xFFFFFFFFL) < (1L << 31)) {
                continue; // just moved here: this frame overlaps what the old lane already sent
            }
            rtpWriter.reset().payloadType(sub.format.payloadType()).sequenceNumber(sub.sequence)
                    .timestamp(ts).ssrc(ssrc);
            if (sub.format.audioLevelExtensionId() != 0) {
                rtpWriter.addAudioLevel(sub.format.audioLevelExtensionId(), level < 127, level);
            }
            if (sub.format.absCaptureTimeExtensionId() != 0) {
                rtpWriter.addAbsCaptureTime(sub.format.absCaptureTimeExtensionId(), captureNtp);
            }
            if (sub.format.transportCcExtensionId() != 0) {
                rtpWriter.addTransportSequence(sub.format.transportCcExtensionId(),
                        sub.nextTransportSequence(System.nanoTime()));
            }
            int header = rtpWriter.write(packet, 0);
            if (header < 0 || header + len > packet.length) {
                continue;
            }
            System.arraycopy(encoded, 0, packet, header, len);
            sub.transport.sendRtp(packet, 0, header + len);
            sub.packetsSent++;
            sub.bytesSent += header + len;
            sub.sequence = (sub.sequence + 1) & 0xFFFF;
            sub.nextTimestamp = end;
            sub.started = true;
        }
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
     * @param samples     the packet's duration, to keep timestamps continuous on a later switch back
     * @param arrivalNanos when it arrived: our timestamps' anchor for Sender Reports (the loop's time,
     *                     which in a simulation is not the wall clock)
     */
    public void forward(RtpPacket in, int samples, long arrivalNanos) {
        if (subscribers.length == 0) {
            return;
        }
        if (!forwardOffsetsValid) {
            forwardTsOffset = (timestamp - in.timestamp()) & 0xFFFFFFFFL;
            for (OutputSubscriber sub : subscribers) {
                sub.forwardSeqOffset = (sub.sequence - in.sequenceNumber()) & 0xFFFF;
            }
            for (EncodeLane lane : lanes) {
                lane.restart();
            }
            forwardOffsetsValid = true;
        }
        long ts = (in.timestamp() + forwardTsOffset) & 0xFFFFFFFFL;
        long end = (ts + samples) & 0xFFFFFFFFL;
        boolean newer = ((end - timestamp) & 0xFFFFFFFFL) < (1L << 31);
        int payloadLen = in.payloadLength();
        for (OutputSubscriber sub : subscribers) {
            int seq = (in.sequenceNumber() + sub.forwardSeqOffset) & 0xFFFF;
            rtpWriter.reset().payloadType(sub.format.payloadType()).sequenceNumber(seq).timestamp(ts).ssrc(ssrc)
                    .marker(in.marker());
            if (sub.format.transportCcExtensionId() != 0) {
                // the payload stays untouched; the transport-wide number is the transport's, per packet
                rtpWriter.addTransportSequence(sub.format.transportCcExtensionId(),
                        sub.nextTransportSequence(System.nanoTime()));
            }
            int header = rtpWriter.write(packet, 0);
            if (header < 0 || header + payloadLen > packet.length) {
                continue;
            }
            System.arraycopy(in.buffer(), in.payloadOffset(), packet, header, payloadLen);
            sub.transport.sendRtp(packet, 0, header + payloadLen);
            sub.packetsSent++;
            sub.bytesSent += header + payloadLen;
            if (newer) {
                sub.sequence = (seq + 1) & 0xFFFF;
                sub.nextTimestamp = end;
                sub.started = true;
            }
        }
        packetsForwarded++;
        // Keep the mixing counters ahead of what was forwarded, for a seamless switch back.
        if (newer) {
            timestamp = end;
            timestampNanos = arrivalNanos + samples * 1_000_000_000L / ServerClock.SAMPLE_RATE;
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

    /**
     * How far behind its own media time this output read its sources last tick, in samples (less a
     * tick, as {@code tick position - tick - }{@link #lastReadPosition()}): what a receiver whose playout
     * is settled on the stream hears of a change. It moves when the read position steps against the
     * timestamps, not when the room's tick phase moves (ArrivalPhase): then the tick position moves
     * but the timestamps, and so the receiver's playout, do not. (Leader/follower restated a leader's
     * loop by such a phase move, 4.5 ms for 2.5 s, in a browser run at load 11, 2026-12-02.)
     */
    public long streamReadDelay() {
        return lastStreamReadDelay;
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

    /** This tick's mixed audio (before the limiter), valid until the next tick. */
    public float[] lastMix() {
        return mix;
    }

    public float lastRms() {
        return lastRms;
    }

    public String name() {
        return name;
    }

    public void close() {
        closed = true;
        for (EncodeLane lane : lanes) {
            lane.encoder.close(); // the default lane is never removed, so this closes every encoder
        }
    }
}
