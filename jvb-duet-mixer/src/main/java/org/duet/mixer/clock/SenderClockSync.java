package org.duet.mixer.clock;

import java.lang.invoke.VarHandle;

/**
 * Everything known about one sender's clock, turned into the best capture-time mapping for its
 * {@link CaptureClock}. The sources, best first:
 * <ol>
 *   <li>{@link Mode#MEASURED}: a four-timestamp exchange in both directions (RTCP: the sender's SR
 *       carries its send time and, in the same compound packet, a report block on our stream whose
 *       LSR/DLSR give our send time and its receive time; or the page's clock ping on the
 *       signaling WebSocket). Offset, drift and an error bound from {@link ClockOffsetEstimator}.
 *   <li>{@link Mode#SENDER_WALL_CLOCK}: SRs but no exchange yet, and the sender's clock agrees
 *       with ours within a plausible transit (see {@link CaptureClock}).
 *   <li>{@link Mode#HALF_ROUND_TRIP}: only a round trip is known (report blocks, no SR: the sender
 *       has no clock to tell us). The capture time is taken as the earliest arrival minus half the
 *       round trip, assuming a symmetric path.
 *   <li>{@link Mode#ARRIVAL}: nothing but arrivals (no RTCP, or SRs only: an SR alone bounds the
 *       offset from one side and cannot tell the transit). The voice sits at its earliest arrival,
 *       which includes the network delay.
 * </ol>
 * Owned by the media loop thread (RTCP arrives there; pings are handed over as commands).
 */
public final class SenderClockSync {

    /** How a sender's voice is placed in time; shown in stats. */
    public enum Mode {
        MEASURED("measured offset"),
        SENDER_WALL_CLOCK("sender's wall clock taken as ours"),
        HALF_ROUND_TRIP("half the round trip assumed"),
        ARRIVAL("earliest arrival");

        private final String description;

        Mode(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** Measured offsets are only used once their error bound is below this (else arrivals are better). */
    private static final double USABLE_ERROR_BOUND_MS = 250;

    private final CaptureClock captureClock;
    private final ClockOffsetEstimator estimator = new ClockOffsetEstimator();
    private Mode mode = Mode.ARRIVAL;
    private long roundTripNanos = -1;
    private long rtcpExchanges;
    private long pingExchanges;
    private boolean held;
    // The figures for stats, published without allocating on the loop (a record per RTCP exchange
    // was the last steady allocation on it, #17): the loop writes them between two increments of
    // publishCount (odd while writing), and a reader builds the record, retrying if a write overlapped.
    private volatile long publishCount;
    private Mode publishedMode = Mode.ARRIVAL;
    private double publishedOffsetMs = Double.NaN;
    private double publishedErrorBoundMs = Double.NaN;
    private double publishedSkewPpm = Double.NaN;
    private double publishedRoundTripMs = Double.NaN;
    private long publishedRtcpExchanges;
    private long publishedPingExchanges;

    /** Figures for stats: read from any thread. */
    public record Snapshot(Mode mode, double offsetMs, double errorBoundMs, double skewPpm, double roundTripMs,
                           long rtcpExchanges, long pingExchanges) {
    }

    public SenderClockSync(CaptureClock captureClock) {
        this.captureClock = captureClock;
    }

    /**
     * A Sender Report from the sender, arrived at server time {@code arrivalNanos}: its NTP
     * timestamp (when it was sent, on the sender's clock) bounds the offset from above.
     */
    public void onSenderReport(long arrivalNanos, long senderNtp) {
        estimator.addUpperBound(arrivalNanos, arrivalNanos - NtpTime.toUnixNanos(senderNtp));
        update(arrivalNanos);
    }

    /**
     * A report block on our stream carried by that same Sender Report: our SR went out at t1 (its
     * NTP middle 32 bits came back as LSR), the sender received it DLSR before sending this one,
     * at {@code senderNtp - DLSR} on its clock. That bounds the offset from below.
     */
    public void onEcho(long arrivalNanos, long senderNtp, long lastSr, long delaySinceLastSr) {
        if (lastSr == 0) {
            return;
        }
        long ourSend = ourSendNanos(arrivalNanos, lastSr);
        long received = NtpTime.toUnixNanos(senderNtp) - NtpTime.compactToNanos(delaySinceLastSr);
        if (ourSend <= arrivalNanos) {
            estimator.addLowerBound(ourSend, ourSend - received);
            rtcpExchanges++;
            update(arrivalNanos);
        }
    }

    /**
     * A media packet arrived at {@code arrivalNanos} whose last sample the sender's clock (through
     * its SR mapping) says was captured at {@code senderUnixNanosOfEnd}: it cannot have been sent
     * before that, so this bounds the offset from above. Fifty of these a second make the upper
     * edge (and the drift) precise long before RTCP alone would. Allocation-free, O(1).
     */
    public void onMediaPacket(long arrivalNanos, long senderUnixNanosOfEnd) {
        estimator.addUpperBound(arrivalNanos, arrivalNanos - senderUnixNanosOfEnd);
    }

    /** A round trip from a report block (RFC 3550 6.4.1). */
    public void onRoundTrip(long nowNanos, long rttNanos) {
        if (rttNanos >= 0) {
            roundTripNanos = rttNanos;
            update(nowNanos);
        }
    }

    /**
     * A clock ping initiated by the sender's page: it sent at {@code t1} (its clock, Unix ns), we
     * received at {@code t2} and replied at {@code t3} (server {@link System#nanoTime()}), it
     * received the reply at {@code t4} (its clock).
     */
    public void onPing(long t1SenderUnix, long t2Server, long t3Server, long t4SenderUnix, long nowNanos) {
        if (t4SenderUnix < t1SenderUnix || t3Server < t2Server) {
            return;
        }
        estimator.addUpperBound(t2Server, t2Server - t1SenderUnix);
        estimator.addLowerBound(t3Server, t3Server - t4SenderUnix);
        pingExchanges++;
        update(nowNanos);
    }

    /**
     * One of our packets, sent at {@code serverSendNanos} ({@link System#nanoTime()}), reached the
     * sender at {@code senderReceiveUnixNanos} on its clock (echoed back in band: the Jitsi
     * transport's capture stamps). That bounds the offset from below; the sender's capture times
     * against their arrivals bound it from above ({@link #onMediaPacket}). Counted with the pings:
     * it is the same exchange, split across two packets.
     */
    public void onSendEcho(long serverSendNanos, long senderReceiveUnixNanos, long nowNanos) {
        if (serverSendNanos > nowNanos) {
            return;
        }
        estimator.addLowerBound(serverSendNanos, serverSendNanos - senderReceiveUnixNanos);
        pingExchanges++;
        update(nowNanos);
    }

    /**
     * While held, new estimates are collected but not applied: the voice stays where it is on the
     * timeline (a latency calibration is recording it; a move would smear the clicks).
     */
    public void hold(boolean held) {
        this.held = held;
        captureClock.pinSource(held); // nor may a first SR switch it from arrivals to the sender's clock
    }

    /**
     * Settled: as good as it will get soon, so a calibration may record the voice where it now sits.
     * Offset bounds came from both directions a few times, and either the sender's media time is
     * mapped to its clock (an SR or abs-capture-time), or the page's clock pings answered (a browser:
     * Chrome's first audio SR may come 7.5 s after its stream starts), or a few seconds passed (no
     * SR: RTCP alone cannot place it); or nothing at all came for a few seconds (arrivals).
     *
     * <p>Without the mapping the voice sits at its arrivals, and the first SR moves it by its whole
     * transit. That is no reason to wait: {@link #hold} keeps the voice where it is while the clicks
     * are recorded, and the calibration's loop follows the move afterwards (it is restated for the
     * change of transit, {@code LatencyCalibration#loopSamples}). What the pings add is that the
     * sender is a page whose offset is already known, so that move is one step to the measured
     * offset, not a step to its raw wall clock first.
     */
    public boolean settled(long sinceLiveNanos) {
        boolean late = sinceLiveNanos > 3_000_000_000L;
        boolean exchanged = rtcpExchanges + pingExchanges >= 3;
        boolean pinged = pingExchanges >= 3;
        return exchanged && (captureClock.hasSenderMapping() || pinged || late) || late && !estimator.hasEstimate();
    }

    /** The mode the capture clock's placement source now means. */
    private Mode currentMode() {
        return switch (captureClock.sourceFor(0)) {
            case MEASURED_OFFSET -> Mode.MEASURED;
            case SENDER_WALL_CLOCK -> Mode.SENDER_WALL_CLOCK;
            case ARRIVAL -> roundTripNanos > 0 && !captureClock.mappingRejected() ? Mode.HALF_ROUND_TRIP : Mode.ARRIVAL;
        };
    }

    /**
     * The capture clock got a new sender-time mapping (abs-capture-time, on every packet of some
     * senders): the stats follow only if that changed how the voice is placed, so the per-packet
     * path does not refit the offset estimate.
     */
    public void onSenderMapping(long nowNanos) {
        if (!held && currentMode() != mode) {
            update(nowNanos);
        }
    }

    /** Applies the best mapping to the capture clock. */
    public void update(long nowNanos) {
        if (held) {
            return;
        }
        boolean measured = estimator.hasEstimate() && estimator.errorBoundMs() <= USABLE_ERROR_BOUND_MS;
        if (measured) {
            // server nanoTime = sender Unix ns + offset, as the capture clock wants it.
            captureClock.setSenderToServerOffset(estimator.offsetNanos(nowNanos),
                    (long) (estimator.errorBoundMs() * 1e6));
        } else {
            captureClock.clearOffset();
        }
        // Used only while the voice is placed by arrival (no usable SR mapping).
        captureClock.setAssumedTransitNanos(roundTripNanos > 0 ? roundTripNanos / 2 : 0);
        mode = currentMode();
        boolean known = estimator.hasEstimate();
        double offset = known ? offsetMs(nowNanos) : Double.NaN;
        double errorBound = known ? estimator.errorBoundMs() : roundTripNanos > 0 ? roundTripNanos / 2e6 : Double.NaN;
        double skew = known ? estimator.skewPpm() : Double.NaN;
        double roundTrip = roundTripNanos >= 0 ? roundTripNanos / 1e6 : Double.NaN;
        long count = publishCount;
        publishCount = count + 1; // odd: writing
        VarHandle.storeStoreFence();
        publishedMode = mode;
        publishedOffsetMs = offset;
        publishedErrorBoundMs = errorBound;
        publishedSkewPpm = skew;
        publishedRoundTripMs = roundTrip;
        publishedRtcpExchanges = rtcpExchanges;
        publishedPingExchanges = pingExchanges;
        publishCount = count + 2; // volatile write: the fields above are visible to whoever reads it
    }

    /** The sender's clock offset against the server's wall clock (server Unix time - sender time), ms. */
    private double offsetMs(long nowNanos) {
        return (estimator.offsetNanos(nowNanos) + ServerClock.unixNanosMinusNanoTime()) / 1e6;
    }

    public Mode mode() {
        return mode;
    }

    public ClockOffsetEstimator estimator() {
        return estimator;
    }

    /** Figures for stats, from any thread (allocates the record here, on the reader's thread). */
    public Snapshot snapshot() {
        for (int attempt = 0; ; attempt++) {
            long before = publishCount;
            Snapshot s = new Snapshot(publishedMode, publishedOffsetMs, publishedErrorBoundMs, publishedSkewPpm,
                    publishedRoundTripMs, publishedRtcpExchanges, publishedPingExchanges);
            VarHandle.loadLoadFence();
            if ((before & 1) == 0 && publishCount == before || attempt >= 100) {
                return s; // the loop writes about once a second per sender: a retry is rare, a hundred never
            }
            Thread.onSpinWait();
        }
    }

    /** Our send time (nanoTime) of the SR whose NTP middle 32 bits are {@code lastSr}, seen from {@code nowNanos}. */
    static long ourSendNanos(long nowNanos, long lastSr) {
        long nowCompact = NtpTime.middle32(NtpTime.fromUnixNanos(nowNanos + ServerClock.unixNanosMinusNanoTime()));
        long ago = (nowCompact - lastSr) & 0xFFFF_FFFFL;
        return nowNanos - NtpTime.compactToNanos(ago);
    }
}
