package org.duet.mixer.clock;

/**
 * Maps one sender's media time to capture time on the server clock:
 * RTP timestamp -> sender time (RTCP Sender Report or abs-capture-time) -> server time.
 *
 * <p>The last step needs the offset between the sender's clock and ours. In order of preference:
 * <ol>
 *   <li>a measured offset ({@link #setSenderToServerOffset}, from round trips: the clock-sync work);
 *   <li>the sender's wall clock taken as ours (NTP-synchronised machines, or the same machine),
 *       used only while it is plausible: the capture it gives must precede the best-case arrival
 *       by 0 to {@link #PLAUSIBLE_TRANSIT_NANOS} (a few ms of skew tolerated), else a clock that is
 *       off would drag the whole room's timing with it;
 *   <li>arrival based: the earliest arrival the jitter buffer has seen for that media time, less
 *       an assumed transit when one is known ({@link #setAssumedTransitNanos}: half the round
 *       trip). Without it that places a voice by when it could first reach the server, network
 *       delay included.
 * </ol>
 */
public final class CaptureClock {

    /** Where the arrival-based estimate comes from (the jitter buffer's best-case arrival). */
    public interface ArrivalEstimate {
        long bestCaseArrivalNanos(long extendedTimestamp);
    }

    /**
     * A sender's media-time mapping (its SRs, with the measured offset) that puts a capture this far
     * or more after the packet's best-case arrival is wrong: nothing arrives before it is captured.
     * The offset's error bound is allowed on top (pings: 2-4 ms in a browser).
     */
    public static final long IMPOSSIBLE_TRANSIT_NANOS = 5_000_000L;
    /** Longest believable sender-to-server transit when trusting the sender's wall clock. */
    public static final long PLAUSIBLE_TRANSIT_NANOS = 1_000_000_000L;
    private static final long SKEW_TOLERANCE_NANOS = 50_000_000L;

    private final ServerClock serverClock;
    private final ArrivalEstimate arrivals;
    private final java.util.function.BooleanSupplier arrivalsKnown;

    private boolean haveSenderMapping;
    private long mappingTimestamp;
    private long mappingSenderUnixNanos;
    private boolean trustSenderClock;
    private boolean haveOffset;
    private long senderUnixToServerNanos;
    private long assumedTransitNanos;
    private Source pinned;
    /** The sender's mapping was caught placing a capture after its arrival: not used again (sticky). */
    private boolean mappingRejected;
    private long offsetErrorBoundNanos;
    private boolean mappingFromReport;
    private long rejectedTransitNanos;

    /** Never checks the sender's mapping against arrivals (whose estimate may be a stand-in). */
    public CaptureClock(ServerClock serverClock, ArrivalEstimate arrivals) {
        this(serverClock, arrivals, () -> false);
    }

    /**
     * @param arrivalsKnown whether {@code arrivals} has seen packets yet: only then is a measured
     *                      mapping checked against them ({@link #IMPOSSIBLE_TRANSIT_NANOS})
     */
    public CaptureClock(ServerClock serverClock, ArrivalEstimate arrivals, java.util.function.BooleanSupplier arrivalsKnown) {
        this.serverClock = serverClock;
        this.arrivals = arrivals;
        this.arrivalsKnown = arrivalsKnown;
    }

    /** From an RTCP SR (or abs-capture-time): media time {@code extendedTimestamp} was sender NTP {@code ntp}. */
    public void onSenderTime(long extendedTimestamp, long ntp) {
        onSenderTime(extendedTimestamp, ntp, false);
    }

    /**
     * As {@link #onSenderTime(long, long)}; {@code fromReport}: the mapping is an RTCP SR's, which
     * must not put a capture after its arrival ({@link #IMPOSSIBLE_TRANSIT_NANOS}). A per-packet
     * capture time (abs-capture-time, a Jitsi page's capture stamp) is not checked: each packet's own
     * stamp is later than the best case whenever that packet was late.
     */
    public void onSenderTime(long extendedTimestamp, long ntp, boolean fromReport) {
        mappingFromReport = fromReport;
        haveSenderMapping = true;
        mappingTimestamp = extendedTimestamp;
        mappingSenderUnixNanos = NtpTime.toUnixNanos(ntp);
        // Decided once per report, not per frame: a choice that flipped from frame to frame near
        // the edge would move the voice back and forth on the timeline.
        long transit = arrivals.bestCaseArrivalNanos(extendedTimestamp) - senderAsServerNanos(extendedTimestamp);
        trustSenderClock = transit >= -SKEW_TOLERANCE_NANOS && transit <= PLAUSIBLE_TRANSIT_NANOS;
        checkMapping();
    }

    /**
     * With a measured offset, the mapping must not put a capture after the packet's earliest arrival
     * ({@link #IMPOSSIBLE_TRANSIT_NANOS} and the offset's error bound). Chromium's SRs did, for its fake capture device on a loaded
     * machine (2026-12-02): 7.7 ms after the arrival at first, then 40-150 ms as its capture fell behind
     * real time, moving the voice by as much from one SR to the next. Such a sender is placed by its
     * arrivals from then on: they at least follow when the audio really left.
     */
    private void checkMapping() {
        if (mappingRejected || !haveOffset || !haveSenderMapping || !mappingFromReport || !arrivalsKnown.getAsBoolean()) {
            return;
        }
        long transit = arrivals.bestCaseArrivalNanos(mappingTimestamp)
                - (senderUnixNanos(mappingTimestamp) + senderUnixToServerNanos);
        if (transit < -(IMPOSSIBLE_TRANSIT_NANOS + offsetErrorBoundNanos)) {
            mappingRejected = true;
            rejectedTransitNanos = transit;
        }
    }

    /** Whether the sender's mapping was rejected (it placed a capture after its arrival). */
    public boolean mappingRejected() {
        return mappingRejected;
    }

    /** The transit (best-case arrival - capture) that got the mapping rejected, ns (0: not rejected). */
    public long rejectedTransitNanos() {
        return rejectedTransitNanos;
    }

    /** A measured offset: server {@link System#nanoTime()} = sender Unix time (ns) + offset. */
    public void setSenderToServerOffset(long nanos) {
        setSenderToServerOffset(nanos, 0);
    }

    /**
     * As {@link #setSenderToServerOffset(long)}, with the offset's error bound: a capture placed up to
     * that much (plus {@link #IMPOSSIBLE_TRANSIT_NANOS}) after its arrival is still believed.
     */
    public void setSenderToServerOffset(long nanos, long errorBoundNanos) {
        haveOffset = true;
        senderUnixToServerNanos = nanos;
        offsetErrorBoundNanos = Math.max(0, errorBoundNanos);
        checkMapping();
    }

    /**
     * For arrival-based placement: the one-way transit to take off the earliest arrival (half the
     * round trip when only that is known; 0: none, the voice sits at its earliest arrival).
     */
    public void setAssumedTransitNanos(long nanos) {
        assumedTransitNanos = Math.max(0, nanos);
    }

    public long assumedTransitNanos() {
        return assumedTransitNanos;
    }

    public void clearOffset() {
        haveOffset = false;
    }

    public boolean hasSenderMapping() {
        return haveSenderMapping;
    }

    public boolean usesMeasuredOffset() {
        return haveOffset && haveSenderMapping;
    }

    /**
     * Keeps (true) or frees (false) the estimate source in use now. While pinned, a Sender Report or
     * a measured offset arriving meanwhile is stored but not used: a latency calibration is recording
     * this voice, and a change of source would move it on the timeline by its whole transit under
     * the clicks. Once freed, the voice moves to the better source, and the calibration follows it
     * (it restates its loop for the change of transit).
     */
    public void pinSource(boolean pin) {
        pinned = pin ? sourceFor(0) : null;
    }

    /** Which estimate {@link #captureNanos} uses for this media time. */
    public Source sourceFor(long extendedTimestamp) { // per media time, so the sync work can refine it
        if (pinned != null) {
            return pinned;
        }
        if (mappingRejected) {
            return Source.ARRIVAL;
        }
        if (usesMeasuredOffset()) {
            return Source.MEASURED_OFFSET;
        }
        return haveSenderMapping && trustSenderClock ? Source.SENDER_WALL_CLOCK : Source.ARRIVAL;
    }

    /** Where a capture time came from. */
    public enum Source { MEASURED_OFFSET, SENDER_WALL_CLOCK, ARRIVAL }

    private long senderAsServerNanos(long extendedTimestamp) {
        return senderUnixNanos(extendedTimestamp) - ServerClock.unixNanosMinusNanoTime();
    }

    /** Sender wall-clock time (Unix ns) of a media time, when an SR or abs-capture-time mapped it. */
    public long senderUnixNanos(long extendedTimestamp) {
        return mappingSenderUnixNanos + ServerClock.samplesToNanos(extendedTimestamp - mappingTimestamp);
    }

    /** Server {@link System#nanoTime()} at which media time {@code extendedTimestamp} was captured. */
    public long captureNanos(long extendedTimestamp) {
        return switch (sourceFor(extendedTimestamp)) {
            case MEASURED_OFFSET -> senderUnixNanos(extendedTimestamp) + senderUnixToServerNanos;
            case SENDER_WALL_CLOCK -> senderAsServerNanos(extendedTimestamp);
            // a rejected mapping came with a measured offset: its sender is no RR-only one, so no half round trip
            case ARRIVAL -> arrivals.bestCaseArrivalNanos(extendedTimestamp) - (mappingRejected ? 0 : assumedTransitNanos);
        };
    }

    /** Capture position on the server's 48 kHz clock. */
    public long capturePosition(long extendedTimestamp) {
        return serverClock.toSamples(captureNanos(extendedTimestamp));
    }
}
