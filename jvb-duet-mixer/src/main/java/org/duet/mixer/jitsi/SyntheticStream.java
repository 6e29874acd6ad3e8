package org.duet.mixer.jitsi;

import org.duet.mixer.clock.ServerClock;

/**
 * One requested synthetic source on its way back to the bridge: turns the RTP packets of the mix
 * that carries it into {@code media} events tagged with its name.
 *
 * <p>The stream keeps its own continuous {@code chunk} (sequence) and {@code timestamp}: it maps
 * the producing output's RTP sequence and timestamp by offset, so gaps stay visible as loss, and
 * when the producer changes (the partner re-joined, a reconnect re-created a mix) it simply
 * continues one frame on (as it does when the producer's own numbering jumps). The bridge copies both into the RTP header it injects, so the client's
 * jitter buffer never sees a jump.
 *
 * <p>{@link #send} runs on the room's media loop thread only; {@link #sink} is swapped by
 * signaling (the newest connection that requested the name wins).
 */
final class SyntheticStream {

    final SyntheticName name;
    private final String tagJson;
    /** Steps in the producer's sequence beyond these are jumps, not loss or reordering. */
    private static final int MAX_REORDER = 50;
    private static final int MAX_GAP = 500;
    private final JitsiCounters counters;
    volatile JitsiConnection sink;

    private final StringBuilder text = new StringBuilder(2048);

    /** Where a send-time stamp is written (CaptureStamp.stampSend): a frame plus 15 bytes. */

    private final byte[] stampBuffer = new byte[1500];

    private static final int STAMP_EVERY = 5;
    private Object producer;
    private int lastSeq;
    private long lastTs;
    private long chunk = -1;
    private long timestamp;
    private int lastStep;
    private long lastFrameNanos;
    /** Producer steps that ran ahead of the wall clock and were sent as the wall time instead. */
    private volatile long clockJumps;
    /** The connection this stream last announced its talk on with a {@code start} event. */
    private JitsiConnection startedOn;
    private volatile long eventsSent;
    private volatile long unsent;
    /** Holds the stream back until it runs steadily (a receiver's jitter buffer learns from its start). */
    private final SteadyStart steadyStart;
    /** How evenly the stream leaves us, as the receiving browser's jitter buffer will see it. */
    private final StreamTiming timing;

    SyntheticStream(SyntheticName name, int frameSamples, JitsiCounters counters, boolean takenOver) {
        this.name = name;
        this.steadyStart = takenOver ? SteadyStart.startedAlready() : new SteadyStart();
        this.tagJson = name.name(); // validated to [A-Za-z0-9._-]: nothing to escape
        this.lastStep = frameSamples;
        this.counters = counters;
        this.timing = new StreamTiming("synthetic stream " + name.name() + " (sent)");
    }

    /**
     * A producer's timestamp step this far ahead of the wall time since the last frame is a jump,
     * not media: a receiver's jitter buffer would wait that long for the frame's turn to play.
     */
    static final long AHEAD_OF_CLOCK_SAMPLES = 4_800;

    /**
     * The timestamp step to send for a producer's step of {@code tsStep} samples that came
     * {@code wallSamples} after the previous frame: the producer's own, unless it runs ahead of the
     * wall clock by more than {@link #AHEAD_OF_CLOCK_SAMPLES}; then the wall time, in whole frames of
     * {@code frame} samples (at least one). Seen on the local stack: a mixer taking a meeting over sent
     * its first frame, then 63 ms later one 2050 ms further on, and the singers heard nothing for 2.4 s.
     */
    static long stepOnTheClock(long tsStep, long wallSamples, long frame) {
        if (tsStep <= wallSamples + AHEAD_OF_CLOCK_SAMPLES) {
            return tsStep;
        }
        return Math.max(1, Math.round((double) wallSamples / frame)) * frame;
    }

    /** An RTP packet of the mix that carries this stream (media loop thread). */
    void send(Object from, int seq, long ts, byte[] payload, int off, int len) {
        long now = System.nanoTime();
        if (chunk < 0) {
            chunk = 0;
            timestamp = 0;
        } else {
            int seqStep = (short) (seq - lastSeq);
            int tsStep = (int) (ts - lastTs);
            if (from != producer || seqStep < -MAX_REORDER || seqStep > MAX_GAP
                    || tsStep < -MAX_REORDER * 5760 || tsStep > MAX_GAP * 5760) {
                // A new producer, or the producer's numbering jumped (a forwarded voice restarted):
                // continue one frame on, so the bridge and its clients never see the jump.
                chunk++;
                timestamp += lastStep;
            } else {
                chunk += seqStep;
                long wallSamples = (now - lastFrameNanos) * 48 / 1_000_000;
                long step = stepOnTheClock(tsStep, wallSamples, lastStep);
                if (step != tsStep) {
                    clockJumps++;
                }
                timestamp += step;
                if (seqStep == 1 && tsStep > 0 && step == tsStep) {
                    lastStep = tsStep;
                }
            }
        }
        lastFrameNanos = now;
        producer = from;
        lastSeq = seq;
        lastTs = ts;
        JitsiConnection to = sink;
        if (to == null || !to.isOpen()) {
            unsent++;
            return;
        }
        if (!steadyStart.admit(now, timestamp)) {
            return;
        }
        StringBuilder b = text;
        if (to != startedOn) {
            // The bridge marks a synthetic source as sending only after a `start` with a talk
            // timestamp (JVB 11146 Exporter.kt: StartEvent -> handleSendingChange), which
            // lib-jitsi-meet reports as TRANSLATED_SOURCE_SENDING_CHANGED. Once per connection,
            // before the first media event.
            b.setLength(0);
            b.append("{\"event\":\"start\",\"sequenceNumber\":\"").append(to.nextEventSequence())
                    .append("\",\"start\":{\"tag\":\"").append(tagJson)
                    .append("\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2}")
                    .append(",\"timestamp\":").append(timestamp & 0xFFFF_FFFFL).append("}}");
            if (!to.sendText(b.toString())) {
                unsent++;
                return;
            }
            startedOn = to;
        }
        b.setLength(0);
        b.append("{\"event\":\"media\",\"sequenceNumber\":\"").append(to.nextEventSequence())
                .append("\",\"media\":{\"tag\":\"").append(tagJson)
                .append("\",\"chunk\":\"").append(chunk & 0x7FFF_FFFFL)
                .append("\",\"timestamp\":\"").append(timestamp & 0xFFFF_FFFFL)
                .append("\",\"payload\":\"");
        // one event in five carries our send time, which the page echoes (CaptureStamp)
        int stamped = eventsSent % STAMP_EVERY == 0
                ? CaptureStamp.stampSend(payload, off, len, (ServerClock.unixNanosMinusNanoTime() + now) / 1e6, stampBuffer) : -1;
        if (stamped > 0) {
            Base64Codec.encode(stampBuffer, 0, stamped, b);
        } else {
            Base64Codec.encode(payload, off, len, b);
        }
        b.append("\"}}");
        if (to.sendText(b.toString())) {
            eventsSent++;
            counters.mediaOut();
            long sent = System.nanoTime();
            noteTiming(sent);
            if (FrameTrace.ENABLED) {
                FrameTrace.out(tagJson, payload, off, len, sent);
            }
        }
    }

    private void noteTiming(long nowNanos) {
        timing.note(nowNanos, timestamp);
    }

    /** How far the last event left behind the stream's best case (send time minus media time), ms. */
    double lagMs() {
        return timing.lagMs();
    }

    /** The most any event lagged behind the stream's best case so far, ms. */
    double maxLagMs() {
        return timing.maxLagMs();
    }

    /** The stream's age when its worst lag happened, s. */
    double maxLagAtS() {
        return timing.maxLagAtS();
    }

    /** Frames held back while the stream was not yet steady ({@link SteadyStart}). */
    long heldAtStart() {
        return steadyStart.held();
    }

    long clockJumps() {
        return clockJumps;
    }

    long eventsSent() {
        return eventsSent;
    }

    /** Frames produced while no open connection had requested the name. */
    long unsent() {
        return unsent;
    }
}
