package org.duet.mixer.input;

import org.duet.mixer.clock.CaptureClock;
import org.duet.mixer.clock.SenderClockSync;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.clock.TimelinePlacement;
import org.duet.mixer.jitter.ArrivalBaseline;
import org.duet.mixer.jitter.DecodedFrameSink;
import org.duet.mixer.jitter.FrameKind;
import org.duet.mixer.jitter.InsertResult;
import org.duet.mixer.jitter.JitterBuffer;
import org.duet.mixer.jitter.JitterStats;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.rtp.AbsCaptureTimeExtension;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.timeline.SourceTimeline;

/**
 * One singer's voice on its way in: RTP packet -> jitter buffer -> Opus decode -> capture-time
 * timeline. Outputs read the timeline as a {@link MixSource}. Owned by the media loop thread.
 *
 * <p>Decoded frames are written contiguously; the capture-time estimate of each frame only
 * re-anchors the write position when it moves by more than the re-anchor threshold (a new
 * stream, a long gap, a clock that drifted), so small estimate wobbles never tear the audio.
 */
public final class VoiceInput implements MixSource, DecodedFrameSink {

    private final JitterBuffer jitter;
    private final CaptureClock captureClock;
    private final SenderClockSync clockSync;
    private final SourceTimeline timeline;
    private final TimelinePlacement placement;
    private final long staleSamples;
    private final int absCaptureTimeExtensionId;
    private final float[] mono = new float[5760];
    private final OnsetProbe onsets = OnsetProbe.ENABLED ? new OnsetProbe() : null;
    // The newest decoded frame's timestamp and timeline position (for timelinePositionOf).
    private long lastFrameTimestamp;
    private long lastFramePosition = Long.MIN_VALUE;

    private final ServerClock serverClock;
    /** Server position at the moment audio was last written: how we tell a live voice from a gone one. */
    private long lastWriteAt = Long.MIN_VALUE;
    private long nowNanos;
    private long transitNanos;
    private long framesWritten;
    private VoiceFilter filter;
    /**
     * The arrival anchor of the capture estimate (when no sender clock is known): the smallest
     * (arrival - media time) seen, with a long memory. The jitter buffer's own baseline forgets
     * within seconds, as its deadlines must follow the path; a capture estimate must not: when
     * packets come late for a while (a busy bridge, a queue upstream), the voice was still sung
     * when the fastest packet said, and two voices anchored on short memories wander apart by
     * their queues (seen on the real Jitsi path: tens of ms, and whole seconds during a backlog).
     * It rises only as fast as a sender's sample clock can drift (0.5 ms/s = 500 ppm). Used for
     * voices that reach us through a relay that queues (the Jitsi media export: {@code relayed});
     * direct senders keep the jitter buffer's baseline, whose transit the latency calibration uses.
     */
    private final ArrivalBaseline captureAnchor = new ArrivalBaseline(CAPTURE_ANCHOR_WINDOW_MS,
            CAPTURE_ANCHOR_RISE_MS_PER_S);
    private final boolean longMemoryAnchor;
    private long anchorArrivals;
    private long anchorGeneration;
    private long anchorResets;
    private static final int CAPTURE_ANCHOR_WINDOW_MS = 32_000;
    private static final double CAPTURE_ANCHOR_RISE_MS_PER_S = 0.5;

    /**
     * @param staleSamples a source that wrote no audio for this long is left out of the outputs'
     *                     timing (it stopped sending, or never started)
     */
    public VoiceInput(JitterBuffer jitter, ServerClock serverClock, int timelineSamples, long reanchorSamples,
                      long staleSamples, int absCaptureTimeExtensionId) {
        this(jitter, serverClock, timelineSamples, reanchorSamples, staleSamples, absCaptureTimeExtensionId, false);
    }

    /**
     * @param relayed the voice comes through a relay that may hold it in a queue for seconds (the
     *                Jitsi bridge's export): its capture estimate keeps a long memory of the
     *                fastest arrival instead of following the jitter buffer's short one
     */
    public VoiceInput(JitterBuffer jitter, ServerClock serverClock, int timelineSamples, long reanchorSamples,
                      long staleSamples, int absCaptureTimeExtensionId, boolean relayed) {
        this.longMemoryAnchor = relayed;
        this.jitter = jitter;
        this.serverClock = serverClock;
        this.captureClock = new CaptureClock(serverClock, this::anchoredArrivalNanos, () -> jitter.arrivalsObserved() > 0);
        this.clockSync = new SenderClockSync(captureClock);
        this.timeline = new SourceTimeline(timelineSamples);
        this.placement = new TimelinePlacement(reanchorSamples);
        this.staleSamples = staleSamples;
        this.absCaptureTimeExtensionId = absCaptureTimeExtensionId;
    }

    /** A parsed RTP packet of this voice. Decodes whatever became due. */
    public InsertResult onRtp(RtpPacket packet, long arrivalNanos) {
        InsertResult r = jitter.insert(packet.sequenceNumber(), packet.timestamp(), packet.ssrc(), arrivalNanos,
                packet.buffer(), packet.payloadOffset(), packet.payloadLength());
        // A sender clock mapping is stated in the buffer's media time, the one its frames carry (it
        // re-maps media time after a new SSRC or a jump); a refused packet (too far ahead) has none.
        boolean inStream = r == InsertResult.ACCEPTED || r == InsertResult.LATE || r == InsertResult.SSRC_CHANGED
                || r == InsertResult.DUPLICATE;
        long extended = jitter.extendedTimestampOf(packet.timestamp());
        if (inStream && absCaptureTimeExtensionId != 0) {
            int at = packet.extensionOffset(absCaptureTimeExtensionId);
            if (at >= 0 && AbsCaptureTimeExtension.isValid(packet.extensionLength(absCaptureTimeExtensionId))) {
                captureClock.onSenderTime(extended, AbsCaptureTimeExtension.captureNtp(packet.buffer(), at));
                clockSync.onSenderMapping(arrivalNanos); // the mode (stats) follows the new mapping
            }
        }
        if (captureClock.hasSenderMapping() && (r == InsertResult.ACCEPTED || r == InsertResult.LATE)) {
            // The packet cannot have left before its last sample was captured: an upper bound on
            // the sender's clock offset, fifty a second (see SenderClockSync).
            int samples = OpusPacketInfo.totalSamples(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
            if (samples > 0) {
                clockSync.onMediaPacket(arrivalNanos, captureClock.senderUnixNanos(extended + samples));
            }
        }
        if (longMemoryAnchor) { // per packet: only relayed voices use the long-memory anchor
            learnArrival(arrivalNanos);
        }
        nowNanos = arrivalNanos;
        jitter.drainDue(arrivalNanos, this);
        return r;
    }

    /**
     * Where a packet with RTP timestamp {@code rtpTimestamp} (of the current stream) sits on the
     * capture timeline, in server samples: by the placement of the newest decoded frame, or by the
     * capture clock before anything was decoded. Used to place recorded packets (rehearsal takes).
     */
    public long timelinePositionOf(long rtpTimestamp) {
        long ext = jitter.extendedTimestampOf(rtpTimestamp);
        if (lastFramePosition != Long.MIN_VALUE) {
            return lastFramePosition + (ext - lastFrameTimestamp);
        }
        return serverClock.toSamples(captureClock.captureNanos(ext));
    }

    /**
     * From an RTCP Sender Report of stream {@code ssrc}; one of a stream the buffer no longer (or
     * not yet) follows is left out: its RTP time is not the one being played.
     */
    public void onSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp) {
        long current = jitter.currentSsrc();
        if (current != -1 && current != ssrc) {
            return;
        }
        captureClock.onSenderTime(jitter.extendedTimestampOf(rtpTimestamp), ntpTimestamp, true);
    }

    /** Feeds the capture anchor with the packet the jitter buffer just learned from, if any. */
    private void learnArrival(long arrivalNanos) {
        JitterStats js = jitter.stats();
        long generation = js.ssrcChanges() + js.reanchors();
        if (generation != anchorGeneration) { // the buffer re-mapped media time: learn the new mapping afresh
            anchorGeneration = generation;
            captureAnchor.reset();
            anchorResets++;
        }
        long observed = jitter.arrivalsObserved();
        if (observed != anchorArrivals) {
            anchorArrivals = observed;
            captureAnchor.update(arrivalNanos, jitter.lastArrivalOffsetNanos());
        }
    }

    /** Best-case arrival of media time {@code extendedTimestamp} by the long-memory anchor. */
    private long anchoredArrivalNanos(long extendedTimestamp) {
        if (!longMemoryAnchor || !captureAnchor.isValid()) {
            return jitter.bestCaseArrivalNanos(extendedTimestamp);
        }
        return ServerClock.samplesToNanos(extendedTimestamp) + captureAnchor.baselineNanos();
    }

    /** Conceals whatever passed its deadline; called every tick. */
    public void drain(long nowNanos) {
        this.nowNanos = nowNanos;
        jitter.drainDue(nowNanos, this);
    }

    @Override
    public void onFrame(long extendedTimestamp, short[] pcm, int samplesPerChannel, int channels, FrameKind kind) {
        long captureNanos = captureClock.captureNanos(extendedTimestamp);
        transitNanos = jitter.bestCaseArrivalNanos(extendedTimestamp) - captureNanos;
        long position = serverClock.toSamples(captureNanos);
        CaptureClock.Source source = captureClock.sourceFor(extendedTimestamp);
        int n = Math.min(samplesPerChannel, mono.length);
        // A better estimate re-places the voice at once; within one estimate a small disagreement
        // is slewed away (TimelinePlacement), so the voice converges on its estimate without tearing.
        int out = placement.place(position, source, n);
        if (channels == 2) {
            for (int i = 0; i < n; i++) {
                mono[i] = (pcm[2 * i] + pcm[2 * i + 1]) * (0.5f / 32768f);
            }
        } else {
            for (int i = 0; i < n; i++) {
                mono[i] = pcm[i] * (1f / 32768f);
            }
        }
        if (OnsetProbe.ENABLED) {
            onsets.frame(mono, n, extendedTimestamp, captureNanos, placement.position(), serverClock, nowNanos);
        }
        lastFrameTimestamp = extendedTimestamp;
        lastFramePosition = placement.position();
        VoiceFilter f = filter;
        long at = placement.position();
        if (f != null) {
            f.process(mono, n, at);
            at -= f.delaySamples(); // what it returns was captured that much earlier
        }
        timeline.writeStretched(at, mono, 0, n, out);
        placement.advance(out);
        lastWriteAt = serverClock.toSamples(nowNanos);
        framesWritten++;
    }

    /**
     * Final audio runs up to where the jitter buffer's deadlines have passed: media is due at its
     * best-case arrival plus the target delay, and its capture time is {@code transit} before its
     * best-case arrival. Packets that came early are in the timeline already but are not counted,
     * so outputs read at a pace set by the deadlines, not by each packet's luck on the network.
     */
    @Override
    public long completeThrough(long tickPosition) {
        if (timeline.isEmpty()) {
            return Long.MIN_VALUE;
        }
        long dueThrough = tickPosition - ServerClock.nanosToSamples(jitter.targetDelayNanos() + transitNanos);
        return Math.min(timeline.end(), dueThrough);
    }

    /**
     * Stale when nothing was written for a while (not started, left, or stopped sending). A voice
     * that is merely late is not stale: it holds the outputs back, which keeps the voices aligned.
     */
    @Override
    public boolean isStale(long tickPosition) {
        return timeline.isEmpty() || tickPosition - lastWriteAt > staleSamples;
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        timeline.mixInto(position, gain, out, outOff, count);
    }

    /** Echo detection on this voice (null: none). Set before the voice is added to the loop. */
    public void setFilter(VoiceFilter filter) {
        this.filter = filter;
    }

    /** Capture to best-case arrival of the latest frame, in samples: how long the voice takes to reach us. */
    public long transitSamples() {
        return ServerClock.nanosToSamples(transitNanos);
    }

    public JitterBuffer jitterBuffer() {
        return jitter;
    }

    public CaptureClock captureClock() {
        return captureClock;
    }

    /** The sender's clock as measured (RTCP, media packets, the page's clock ping). */
    public SenderClockSync clockSync() {
        return clockSync;
    }

    /** Best-case arrival minus capture estimate of the last frame: what the clock takes as transit. */
    public long transitNanos() {
        return transitNanos;
    }

    public long reanchors() {
        return placement.reanchors();
    }

    /** How this voice is placed on the timeline (slew and re-anchor figures). */
    public TimelinePlacement placement() {
        return placement;
    }

    public long framesWritten() {
        return framesWritten;
    }

    /**
     * Where this voice sits, for stats (read from any thread; the figures may be one frame apart).
     *
     * @param source            what the capture estimate comes from
     * @param transitMs         capture estimate to best-case arrival
     * @param errorMs           estimate minus placement at the last frame (being slewed away)
     * @param reanchors         re-placements after the first
     * @param slewedMs          stretched or squeezed so far
     * @param mediaToTimelineMs timeline position minus media timestamp of the newest frame: two voices
     *                          whose timestamps share a clock (the Jitsi export's) should differ by
     *                          their capture-to-sender-clock offsets only
     * @param sourceChanges     re-placements because the estimate's source changed
     * @param streamRestarts    times the jitter buffer re-mapped the media time (new SSRC, a jump)
     * @param anchorResets      times the long-memory arrival anchor started afresh (relayed voices)
     * @param mappingRejectedTransitMs the transit at which the sender's clock mapping was rejected
     *                          (it put a capture after its arrival; placed by arrivals since), NaN: not rejected
     */
    public record Placement(CaptureClock.Source source, double transitMs, double errorMs, long reanchors,
                            double slewedMs, double mediaToTimelineMs, long sourceChanges, long streamRestarts,
                            long anchorResets, double mappingRejectedTransitMs) {
    }

    public Placement placementSnapshot() {
        long position = lastFramePosition;
        double mediaToTimeline = position == Long.MIN_VALUE ? Double.NaN : (position - lastFrameTimestamp) / 48.0;
        return new Placement(captureClock.sourceFor(lastFrameTimestamp), transitNanos / 1e6,
                placement.lastError() / 48.0, placement.reanchors(), placement.slewedSamples() / 48.0, mediaToTimeline,
                placement.sourceChanges(), jitter.stats().ssrcChanges() + jitter.stats().reanchors(), anchorResets,
                captureClock.mappingRejected() ? captureClock.rejectedTransitNanos() / 1e6 : Double.NaN);
    }
}
