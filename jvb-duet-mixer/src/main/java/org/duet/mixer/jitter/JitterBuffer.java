package org.duet.mixer.jitter;

import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusPacketInfo;

/**
 * Per-source adaptive jitter buffer for Opus at 48 kHz. Packets go in with {@link #insert} in
 * any order; {@link #drainDue} decodes them in media order and hands every frame to a sink: a
 * present frame as soon as everything before it was emitted, a missing frame once its deadline
 * has passed (FEC from the next packet if it carries LBRR, else PLC), and a DTX gap as silence.
 * The deadline of media {@code [m, m+n)} is {@code bestCaseArrivalNanos(m+n) + targetDelayNanos()};
 * the target delay adapts to arrival jitter (rule and rationale in docs/jitter-buffer.md).
 *
 * <p>Single-threaded (the media loop). Everything is preallocated in the constructor: packet
 * slots (the hard size cap), PCM scratch, histogram; {@code insert} and {@code drainDue} allocate
 * nothing in steady state and never throw on bad input.
 */
public final class JitterBuffer {

    private static final byte EMPTY = 0;
    private static final byte PRESENT = 1;
    /** Played out, or arrived after its media was played; kept to recognise duplicates. */
    private static final byte DONE = 2;
    /** Replaced by FEC or PLC without ever arriving; a late arrival turns it into DONE. */
    private static final byte LOST = 3;

    private static final int SAMPLE_RATE = 48_000;
    /** Packets arriving closer than this after the previous one, with newer media, belong to one bunch. */
    private static final long BUNCH_NANOS = 1_000_000L;
    private static final int MAX_FRAME = OpusPacketInfo.MAX_PACKET_SAMPLES;
    /**
     * A voice whose next frame was due more than this long ago skips ahead instead of playing the
     * missed time out frame by frame (-Dduet.jitter.catch-up-ms, 0: never). After the loop was
     * starved of CPU for seconds, every frame of the backlog would otherwise go through decode and
     * the echo and howl analysis, so catching up cost as much as the audio itself and the loop fell
     * further behind (docs/performance.md, "A starvation spiral").
     */
    static final long CATCH_UP_NANOS = Long.getLong("duet.jitter.catch-up-ms", 1000) * 1_000_000L;

    private final JitterBufferConfig config;
    private final OpusDecoder decoder;
    private final int channels;
    private final int capacity;
    private final int slotBytes;
    private final long capacitySamples;

    // slots, indexed by extended sequence number modulo capacity
    private final byte[] payloads;
    private final long[] slotSeq;
    private final long[] slotTs;
    private final int[] slotLen;
    private final int[] slotSamples;
    private final byte[] slotState;
    private final boolean[] slotFec;
    private final boolean[] slotDtx;

    private final short[] pcm;
    private final short[] silence;
    private final RelativeDelayHistogram histogram;
    private final RelativeDelayHistogram recent;
    private final ArrivalBaseline baseline;
    private long lastArrivalOffset;
    private long arrivalsObserved;
    private final JitterStats stats = new JitterStats();

    // stream identity and unwrapping
    private boolean anchored;
    private long ssrc;
    private long previousSsrc = -1;
    private int previousSsrcRun;
    private long highestSeq;
    private long highestTsUnwrapped;
    private long tsOffset;

    // play-out position
    private long nextSeq;
    private long nextTs;
    private int lastSamples = 960;
    private boolean lastWasDtx;
    private int concealRun;
    /** Frames concealed past the last known packet whose sequence numbers are not yet accounted for. */
    private long speculative;
    private boolean everEmitted;

    private int bufferedPackets;
    private long bufferedSamples;
    private int farAheadRun;
    private int farAheadSeq16;

    // target delay
    /** Arrival and media end of the previous observed packet: tells a burst after a stall. */
    private long lastObservedArrivalNanos = Long.MIN_VALUE;
    private long lastObservedEnd;
    private double targetMs;
    /** Where the target was before its latest rise (NaN: not risen): falling back to it is quick. */
    private double riseStartMs = Double.NaN;
    private long lastTargetUpdateNanos;
    private boolean targetClockStarted;

    public JitterBuffer(JitterBufferConfig config, OpusDecoder decoder) {
        this.config = config;
        this.decoder = decoder;
        this.channels = decoder.channels();
        this.capacity = config.capacityPackets();
        this.slotBytes = config.maxPayloadBytes();
        this.payloads = new byte[capacity * slotBytes];
        this.slotSeq = new long[capacity];
        this.slotTs = new long[capacity];
        this.slotLen = new int[capacity];
        this.slotSamples = new int[capacity];
        this.slotState = new byte[capacity];
        this.slotFec = new boolean[capacity];
        this.slotDtx = new boolean[capacity];
        this.pcm = new short[MAX_FRAME * channels];
        this.silence = new short[MAX_FRAME * channels];
        // media span the slots may cover: capacity packets of 20 ms, at least 1.5 s
        this.capacitySamples = Math.max(SAMPLE_RATE * 3L / 2, capacity * 960L);
        this.histogram = new RelativeDelayHistogram(config.maxDelayMs());
        this.recent = new RelativeDelayHistogram(config.maxDelayMs());
        this.baseline = new ArrivalBaseline(config.baselineWindowMs(), config.baselineSlewMsPerSecond());
        this.targetMs = clampTarget(config.initialDelayMs());
        stats.targetDelayMs = targetMs;
    }

    // ------------------------------------------------------------------------------------ insert

    /** Packet in. Copies the payload into a preallocated slot; never allocates in steady state. */
    public InsertResult insert(int sequenceNumber, long rtpTimestamp, long ssrc, long arrivalNanos,
                               byte[] buf, int payloadOff, int payloadLen) {
        if (payloadLen > slotBytes) {
            stats.oversize++;
            return InsertResult.OVERSIZE;
        }
        if (buf == null || payloadLen < 1 || payloadOff < 0 || payloadOff + payloadLen > buf.length) {
            stats.malformed++;
            return InsertResult.MALFORMED;
        }
        int samples = OpusPacketInfo.totalSamples(buf, payloadOff, payloadLen);
        if (samples <= 0) {
            stats.malformed++;
            return InsertResult.MALFORMED;
        }
        int seq16 = sequenceNumber & 0xFFFF;
        long ts32 = rtpTimestamp & 0xFFFF_FFFFL;
        ssrc &= 0xFFFF_FFFFL;

        InsertResult anchorResult = null;
        if (!anchored) {
            anchor(seq16, ts32, ssrc, arrivalNanos, samples);
            anchorResult = InsertResult.ACCEPTED;
        } else if (ssrc != this.ssrc) {
            if (ssrc == previousSsrc && ++previousSsrcRun < config.reanchorAfterPackets()) {
                // a straggler from the stream we just left (a run of them means it came back)
                stats.received++;
                stats.late++;
                return InsertResult.LATE;
            }
            previousSsrc = this.ssrc;
            stats.ssrcChanges++;
            anchor(seq16, ts32, ssrc, arrivalNanos, samples);
            anchorResult = InsertResult.SSRC_CHANGED;
        }
        stats.received++;

        long extSeq = highestSeq + (short) (seq16 - (int) highestSeq);
        long tsUnwrapped = highestTsUnwrapped + (int) (ts32 - highestTsUnwrapped);
        long extTs = tsUnwrapped + tsOffset;
        int slot = slotOf(extSeq);

        if (extSeq < nextSeq) {
            if (slotState[slot] == DONE && slotSeq[slot] == extSeq) {
                stats.duplicates++;
                return InsertResult.DUPLICATE;
            }
            if (slotState[slot] == LOST && slotSeq[slot] == extSeq) {
                stats.lost--; // it did arrive, just too late: count it as late instead
                slotState[slot] = DONE;
            }
            stats.late++;
            if (Math.abs(extTs - nextTs) <= capacitySamples) { // a plausible straggler: learn from it
                observeArrival(arrivalNanos, extTs + samples, samples);
            }
            return InsertResult.LATE;
        }
        if (extSeq >= nextSeq + capacity || extTs + samples - nextTs > capacitySamples
                || extTs < nextTs - capacitySamples) {
            stats.overflowDropped++;
            int step = (seq16 - farAheadSeq16) & 0xFFFF;
            farAheadRun = farAheadRun > 0 && step >= 1 && step <= 16 ? farAheadRun + 1 : 1;
            farAheadSeq16 = seq16;
            if (farAheadRun >= config.reanchorAfterPackets()) {
                // the sender jumped (restart without a new SSRC): follow it
                stats.reanchors++;
                anchor(seq16, ts32, ssrc, arrivalNanos, samples);
                return store(slotOf(nextSeq), nextSeq, nextTs, samples, arrivalNanos, buf, payloadOff, payloadLen,
                        InsertResult.ACCEPTED);
            }
            return InsertResult.TOO_FAR_AHEAD;
        }
        if (slotSeq[slot] == extSeq && slotState[slot] != EMPTY) {
            stats.duplicates++;
            return InsertResult.DUPLICATE;
        }
        if (extTs + samples <= nextTs) { // its media was already concealed
            slotSeq[slot] = extSeq;
            slotState[slot] = DONE;
            stats.late++;
            observeArrival(arrivalNanos, extTs + samples, samples);
            return InsertResult.LATE;
        }
        if (extSeq < highestSeq) {
            stats.reordered++;
        } else {
            highestSeq = extSeq;
        }
        if (tsUnwrapped > highestTsUnwrapped) {
            highestTsUnwrapped = tsUnwrapped;
        }
        return store(slot, extSeq, extTs, samples, arrivalNanos, buf, payloadOff, payloadLen,
                anchorResult != null ? anchorResult : InsertResult.ACCEPTED);
    }

    private InsertResult store(int slot, long extSeq, long extTs, int samples, long arrivalNanos, byte[] buf,
                               int off, int len, InsertResult result) {
        farAheadRun = 0;
        previousSsrcRun = 0;
        System.arraycopy(buf, off, payloads, slot * slotBytes, len);
        slotSeq[slot] = extSeq;
        slotTs[slot] = extTs;
        slotLen[slot] = len;
        slotSamples[slot] = samples;
        slotState[slot] = PRESENT;
        slotFec[slot] = OpusPacketInfo.hasInbandFec(buf, off, len);
        slotDtx[slot] = OpusPacketInfo.isDtxOrEmpty(len);
        bufferedPackets++;
        bufferedSamples += samples;
        publishBuffered();
        observeArrival(arrivalNanos, extTs + samples, samples);
        return result;
    }

    /**
     * (Re-)anchors the stream on this packet: flushes the slots, resets the decoder and places the
     * packet's media at a new extended timestamp no earlier than what was already played, and, when
     * a baseline exists, where the old arrival mapping says it belongs (so capture times continue).
     */
    private void anchor(int seq16, long ts32, long newSsrc, long arrivalNanos, int samples) {
        long first;
        if (anchored) {
            decoder.reset();
            long mediaNow = baseline.isValid()
                    ? samplesOf(arrivalNanos - baseline.baselineNanos()) - samples : nextTs;
            first = Math.max(nextTs, mediaNow);
        } else {
            first = everEmitted ? nextTs : ts32;
        }
        java.util.Arrays.fill(slotState, EMPTY);
        bufferedPackets = 0;
        bufferedSamples = 0;
        publishBuffered();
        baseline.reset();
        ssrc = newSsrc;
        anchored = true;
        highestSeq = seq16 + (1L << 32); // keeps extended sequence numbers positive
        highestTsUnwrapped = ts32;
        tsOffset = first - ts32;
        nextSeq = highestSeq;
        nextTs = first;
        concealRun = 0;
        speculative = 0;
        lastWasDtx = false;
        lastSamples = samples;
        farAheadRun = 0;
    }

    // ------------------------------------------------------------------------- target delay rule

    /** Updates baseline, histogram and target from one packet's arrival. */
    private void observeArrival(long arrivalNanos, long extEnd, int samples) {
        long offset = arrivalNanos - nanosOf(extEnd);
        lastArrivalOffset = offset;
        arrivalsObserved++;
        baseline.update(arrivalNanos, offset);
        double relativeMs = (offset - baseline.baselineNanos()) / 1e6;
        double packetMs = samples / 48.0;
        // A stall (a starved sender, network or machine) delivers what it held as one bunch: the
        // first packet carries the stall's lateness, the rest only repeat it, ramping down. Counting
        // the whole bunch would make one stall look like many late packets and lift the target for
        // as long as the histogram remembers; counted once, a lone stall stays below the glitch
        // target and only stalls that recur move it.
        boolean bunched = lastObservedArrivalNanos != Long.MIN_VALUE
                && arrivalNanos - lastObservedArrivalNanos < BUNCH_NANOS && extEnd - lastObservedEnd >= samples / 2;
        lastObservedArrivalNanos = arrivalNanos;
        lastObservedEnd = Math.max(lastObservedEnd, extEnd);
        if (bunched) {
            stats.bunched++;
            return;
        }
        histogram.add(relativeMs, 1.0 - packetMs / config.histogramMemoryMs());
        recent.add(relativeMs, 1.0 - packetMs / config.recentMemoryMs());
        // The smaller quantile: rising needs lateness that recurs over the long memory (a few
        // late packets in 8 s) and is happening now; once it stops, the recent one forgets it
        // within a few seconds and the target falls, instead of waiting out the long memory.
        double quantile = Math.min(histogram.quantileMs(1.0 - config.glitchTarget()),
                recent.quantileMs(1.0 - config.glitchTarget()));
        double desired = clampTarget(quantile + config.marginMs());
        double elapsedS = targetClockStarted ? Math.max(0, arrivalNanos - lastTargetUpdateNanos) / 1e9 : 0;
        targetClockStarted = true;
        lastTargetUpdateNanos = arrivalNanos;
        if (desired > targetMs) {
            // late packets moved the quantile up: follow at once (a lone spike below the glitch
            // target does not move it, and is concealed instead)
            if (Double.isNaN(riseStartMs)) {
                riseStartMs = targetMs;
            }
            targetMs = desired;
        } else if (desired < targetMs - config.hysteresisMs()) {
            // Back down to where the rise started quickly (the disturbance is over: the recent
            // quantile says so), below that slowly, as the long memory learns the path.
            boolean recovering = !Double.isNaN(riseStartMs) && targetMs > riseStartMs;
            double rate = recovering ? config.recoveryFallRateMsPerSecond() : config.fallRateMsPerSecond();
            targetMs = Math.max(desired, targetMs - rate * elapsedS);
            if (recovering && targetMs <= riseStartMs) {
                riseStartMs = Double.NaN;
            }
        }
        stats.targetDelayMs = targetMs;
    }

    private double clampTarget(double ms) {
        double max = Math.min(config.maxDelayMs(), capacitySamples / 48.0 * 0.75);
        return Math.max(config.minDelayMs(), Math.min(max, ms));
    }

    /**
     * Arrival minus media time (of its last sample, on the extended timeline) of the newest packet
     * the buffer learned from; {@link #arrivalsObserved()} tells when there is a new one.
     */
    public long lastArrivalOffsetNanos() {
        return lastArrivalOffset;
    }

    /** How many packet arrivals the buffer has learned from so far. */
    public long arrivalsObserved() {
        return arrivalsObserved;
    }

    /** Deadline slack after the best-case arrival of a frame's last sample. */
    public long targetDelayNanos() {
        return (long) (targetMs * 1_000_000);
    }

    /**
     * The extended media time this buffer gives RTP timestamp {@code ts32} of the stream it follows
     * now: the time its frames carry ({@link DecodedFrameSink#onFrame}). After a new SSRC or a jump
     * the buffer re-maps media time (to continue where play-out is), so a sender clock mapping
     * (an SR, abs-capture-time) must be stated in this time, not in the RTP timestamp's own.
     * Before the first packet: the timestamp itself (the first anchor keeps it).
     */
    public long extendedTimestampOf(long ts32) {
        if (!anchored) {
            return ts32 & 0xFFFF_FFFFL;
        }
        return highestTsUnwrapped + (int) (ts32 - highestTsUnwrapped) + tsOffset;
    }

    /** The SSRC of the stream this buffer follows now (-1 before the first packet). */
    public long currentSsrc() {
        return anchored ? ssrc : -1;
    }

    /**
     * Arrival-based estimate of when media sample {@code extendedTimestamp} would arrive on an ideal
     * path: the windowed minimum of (arrival - media time), measured at packet ends, tracking slow
     * drift. The engine uses it as the capture-time anchor until clock-offset estimation lands.
     */
    public long bestCaseArrivalNanos(long extendedTimestamp) {
        return nanosOf(extendedTimestamp) + baseline.baselineNanos();
    }

    // ------------------------------------------------------------------------------------ drain

    /**
     * Decodes, in media order, every frame that is due, calling the sink once per frame. A frame
     * is due when it is present and all earlier frames were emitted, or when it is missing and its
     * deadline has passed: then FEC from the following packet if present and carrying FEC, else
     * PLC; a DTX gap (sequence contiguous, timestamp jumps) gives silence.
     */
    public void drainDue(long nowNanos, DecodedFrameSink sink) {
        if (!anchored) {
            return;
        }
        if (everEmitted && CATCH_UP_NANOS > 0) {
            long late = nowNanos - (bestCaseArrivalNanos(nextTs + lastSamples) + targetDelayNanos());
            if (late > CATCH_UP_NANOS) {
                catchUp(late);
            }
        }
        for (int guard = 0; guard < capacity * 4; guard++) {
            int slot = slotOf(nextSeq);
            if (slotState[slot] == PRESENT && slotSeq[slot] == nextSeq) {
                playPresent(slot, sink);
                continue;
            }
            if (slotState[slot] == DONE && slotSeq[slot] == nextSeq) { // arrived late: skip
                nextSeq++;
                speculative = Math.max(0, speculative - 1);
                continue;
            }
            long following = bufferedPackets > 0 ? nextPresentSeq() : Long.MIN_VALUE;
            if (following != Long.MIN_VALUE) {
                if (!playMissingBefore(following, nowNanos, sink)) {
                    return;
                }
            } else if (!playTail(nowNanos, sink)) {
                return;
            }
        }
    }

    /**
     * The next frame was due {@code lateNanos} ago (more than {@link #CATCH_UP_NANOS}): moves the
     * play-out position on by whole frames to the one due now, dropping the packets wholly before it
     * (counted: {@link JitterStats#caughtUpPackets()}, {@link JitterStats#caughtUpMs()}). The voice
     * then has a gap on its timeline, as after a loss; sequence numbers skipped without their packet
     * are counted lost when the next packet plays, and missing frames right after the jump are
     * silence, not concealment of audio a second old.
     */
    private void catchUp(long lateNanos) {
        long frame = Math.max(120, lastSamples);
        long skip = samplesOf(lateNanos) / frame * frame;
        if (skip <= 0) {
            return;
        }
        long to = nextTs + skip;
        // the sequence numbers those frames' packets had (one per frame), unless a packet still
        // needed (its media runs past the jump) says otherwise
        long seqTo = nextSeq + skip / frame;
        for (long s = nextSeq; s <= highestSeq; s++) {
            int slot = slotOf(s);
            if (slotState[slot] == PRESENT && slotSeq[slot] == s) {
                if (slotTs[slot] + slotSamples[slot] <= to) {
                    slotState[slot] = DONE;
                    bufferedPackets--;
                    bufferedSamples -= slotSamples[slot];
                    stats.caughtUpPackets++;
                } else if (s < seqTo) {
                    seqTo = s;
                }
            }
        }
        publishBuffered();
        long from = Math.max(nextSeq, seqTo - capacity); // older ones no longer have a slot to mark
        stats.lost += from - nextSeq;
        countLost(from, seqTo);
        nextSeq = seqTo;
        nextTs = to;
        speculative = 0;
        concealRun = Math.max(concealRun, config.maxConcealRunMs() * (SAMPLE_RATE / 1000));
        stats.catchUps++;
        stats.caughtUpMs += skip / 48.0;
    }

    /** The frame at nextSeq is here: silence for any DTX gap before it, then decode it. */
    private void playPresent(int slot, DecodedFrameSink sink) {
        long ts = slotTs[slot];
        int samples = slotSamples[slot];
        if (ts > nextTs) { // sequence contiguous, timestamp jumped: DTX, known silence
            emitSilence(Math.min(ts - nextTs, Math.max(lastSamples, 960)), sink);
            return;
        }
        int len = slotLen[slot];
        slotState[slot] = DONE;
        bufferedPackets--;
        bufferedSamples -= samples;
        publishBuffered();
        nextSeq++;
        if (ts + samples <= nextTs) { // fully covered by speculative concealment already
            stats.late++;
            speculative = Math.max(0, speculative - 1);
            return;
        }
        speculative = 0;
        int n = decoder.decode(payloads, slot * slotBytes, len, pcm, 0, MAX_FRAME);
        int skip = (int) (nextTs - ts); // head already covered by concealment
        if (n != samples) { // an error code, or a length the TOC did not announce: conceal instead
            stats.decodeErrors++;
            concealInto((int) (ts + samples - nextTs), sink, FrameKind.CONCEALED);
            stats.concealed++;
        } else {
            stats.normalFrames++;
            if (skip > 0) { // the sink takes PCM from index 0: drop the part already played
                System.arraycopy(pcm, skip * channels, pcm, 0, (n - skip) * channels);
            }
            sink.onFrame(nextTs, pcm, n - skip, channels, FrameKind.NORMAL);
        }
        nextTs = ts + samples;
        lastSamples = samples;
        lastWasDtx = slotDtx[slot];
        concealRun = 0;
        everEmitted = true;
    }

    /** Packets are missing before {@code following}: play the first missing frame if it is due. */
    private boolean playMissingBefore(long following, long nowNanos, DecodedFrameSink sink) {
        int fSlot = slotOf(following);
        if (speculative > 0) {
            // the first missing packets were already replaced by tail concealment: account for them
            long covered = Math.min(speculative, following - nextSeq);
            countLost(nextSeq, nextSeq + covered);
            nextSeq += covered;
            speculative = 0;
            return true;
        }
        long gapPackets = following - nextSeq;
        long gapSamples = slotTs[fSlot] - nextTs;
        if (gapSamples <= 0) { // their media was concealed already: they are lost for good
            countLost(nextSeq, following);
            nextSeq = following;
            return true;
        }
        int duration = lostDuration(gapSamples, gapPackets);
        if (nowNanos < bestCaseArrivalNanos(nextTs + duration) + targetDelayNanos()) {
            return false;
        }
        if (gapPackets == 1 && slotFec[fSlot]) {
            int n = decoder.decodeFec(payloads, fSlot * slotBytes, slotLen[fSlot], pcm, 0, duration);
            if (n == duration) {
                stats.fecRecovered++;
                emitDecoded(duration, sink, FrameKind.FEC);
                countLost(nextSeq, nextSeq + 1);
                nextSeq++;
                return true;
            }
            stats.decodeErrors++;
        }
        concealInto(duration, sink, FrameKind.CONCEALED);
        stats.concealed++;
        countLost(nextSeq, nextSeq + 1);
        nextSeq++;
        return true;
    }

    /** Nothing after nextSeq is here yet: once due, conceal speculatively (or silence after DTX). */
    private boolean playTail(long nowNanos, DecodedFrameSink sink) {
        int duration = lastSamples;
        if (nowNanos < bestCaseArrivalNanos(nextTs + duration) + targetDelayNanos()) {
            return false;
        }
        if (lastWasDtx || concealRun * 1000L / SAMPLE_RATE >= config.maxConcealRunMs()) {
            emitSilence(duration, sink); // the sender went quiet (DTX), or stopped: PLC has faded anyway
        } else {
            concealInto(duration, sink, FrameKind.CONCEALED); // nextSeq stays: the packet may still come
            stats.concealed++;
            speculative++;
        }
        return true;
    }

    /** PLC while the run is short, zeros afterwards (PLC has faded out by then, and zeros are free). */
    private void concealInto(int duration, DecodedFrameSink sink, FrameKind kind) {
        if (concealRun * 1000L / SAMPLE_RATE < config.maxConcealRunMs()) {
            int n = decoder.conceal(pcm, 0, duration);
            if (n == duration) {
                concealRun += duration;
                emitDecoded(duration, sink, kind);
                return;
            }
            stats.decodeErrors++;
        }
        concealRun += duration;
        sink.onFrame(nextTs, silence, duration, channels, kind);
        nextTs += duration;
        everEmitted = true;
    }

    private void emitDecoded(int duration, DecodedFrameSink sink, FrameKind kind) {
        sink.onFrame(nextTs, pcm, duration, channels, kind);
        nextTs += duration;
        everEmitted = true;
    }

    private void emitSilence(long samples, DecodedFrameSink sink) {
        int n = (int) Math.min(samples, MAX_FRAME);
        stats.dtxSilenceFrames++;
        sink.onFrame(nextTs, silence, n, channels, FrameKind.SILENCE);
        nextTs += n;
        everEmitted = true;
    }

    /** Duration of one lost frame: the even share of the gap when it is a valid Opus size, else the last size. */
    private int lostDuration(long gapSamples, long gapPackets) {
        if (gapSamples % gapPackets == 0) {
            long share = gapSamples / gapPackets;
            if (share > 0 && share % 120 == 0 && share <= MAX_FRAME) {
                return (int) share;
            }
        }
        long d = Math.min(lastSamples, gapSamples);
        d -= d % 120;
        return (int) Math.max(120, d);
    }

    private void countLost(long fromSeq, long toSeq) {
        for (long s = fromSeq; s < toSeq; s++) {
            int slot = slotOf(s);
            if (!(slotState[slot] == DONE && slotSeq[slot] == s)) {
                stats.lost++;
                slotSeq[slot] = s;
                slotState[slot] = LOST;
            }
        }
    }

    private long nextPresentSeq() {
        for (long s = nextSeq + 1; s <= highestSeq; s++) {
            int slot = slotOf(s);
            if (slotState[slot] == PRESENT && slotSeq[slot] == s) {
                return s;
            }
        }
        return Long.MIN_VALUE;
    }

    // ----------------------------------------------------------------------------------- misc

    public JitterStats stats() {
        return stats;
    }

    /** Forgets the stream (slots, anchor, delay statistics) and resets the decoder; counters stay. */
    public void reset() {
        java.util.Arrays.fill(slotState, EMPTY);
        bufferedPackets = 0;
        bufferedSamples = 0;
        publishBuffered();
        anchored = false;
        previousSsrc = -1;
        lastObservedArrivalNanos = Long.MIN_VALUE;
        lastObservedEnd = 0;
        baseline.reset();
        histogram.reset();
        recent.reset();
        targetMs = clampTarget(config.initialDelayMs());
        riseStartMs = Double.NaN;
        targetClockStarted = false;
        stats.targetDelayMs = targetMs;
        decoder.reset();
    }

    public int channels() {
        return channels;
    }

    private void publishBuffered() {
        stats.bufferedFrames = bufferedPackets;
        stats.bufferedMs = bufferedSamples / 48.0;
    }

    private int slotOf(long extSeq) {
        return (int) Math.floorMod(extSeq, (long) capacity);
    }

    private static long nanosOf(long samples) {
        return Math.floorDiv(samples * 62_500L, 3L); // 1e9 / 48000 = 62500 / 3
    }

    private static long samplesOf(long nanos) {
        return Math.floorDiv(nanos * 3L, 62_500L);
    }
}
