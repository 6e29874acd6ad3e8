package org.duet.mixer.clock;

/**
 * Maps one sender's media time to capture time on the server clock:
 * RTP timestamp -> sender time (RTCP Sender Report or abs-capture-time) -> server time.
 *
 * <p>The last step needs the offset between the sender's clock and ours. Until an offset is
 * measured ({@link #setSenderToServerOffset}, from round trips: the sync work), the estimate is
 * arrival based: the earliest arrival the jitter buffer has seen for that media time. That places
 * each voice by when it could first reach the server; with a measured offset, by when it was sung.
 */
public final class CaptureClock {

    /** Where the arrival-based estimate comes from (the jitter buffer's best-case arrival). */
    public interface ArrivalEstimate {
        long bestCaseArrivalNanos(long extendedTimestamp);
    }

    private final ServerClock serverClock;
    private final ArrivalEstimate arrivals;

    private boolean haveSenderMapping;
    private long mappingTimestamp;
    private long mappingSenderUnixNanos;
    private boolean haveOffset;
    private long senderUnixToServerNanos;

    public CaptureClock(ServerClock serverClock, ArrivalEstimate arrivals) {
        this.serverClock = serverClock;
        this.arrivals = arrivals;
    }

    /** From an RTCP SR (or abs-capture-time): media time {@code extendedTimestamp} was sender NTP {@code ntp}. */
    public void onSenderTime(long extendedTimestamp, long ntp) {
        haveSenderMapping = true;
        mappingTimestamp = extendedTimestamp;
        mappingSenderUnixNanos = NtpTime.toUnixNanos(ntp);
    }

    /** A measured offset: server {@link System#nanoTime()} = sender Unix time (ns) + offset. */
    public void setSenderToServerOffset(long nanos) {
        haveOffset = true;
        senderUnixToServerNanos = nanos;
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

    /** Sender wall-clock time (Unix ns) of a media time, when an SR or abs-capture-time mapped it. */
    public long senderUnixNanos(long extendedTimestamp) {
        return mappingSenderUnixNanos + ServerClock.samplesToNanos(extendedTimestamp - mappingTimestamp);
    }

    /** Server {@link System#nanoTime()} at which media time {@code extendedTimestamp} was captured. */
    public long captureNanos(long extendedTimestamp) {
        if (usesMeasuredOffset()) {
            return senderUnixNanos(extendedTimestamp) + senderUnixToServerNanos;
        }
        return arrivals.bestCaseArrivalNanos(extendedTimestamp);
    }

    /** Capture position on the server's 48 kHz clock. */
    public long capturePosition(long extendedTimestamp) {
        return serverClock.toSamples(captureNanos(extendedTimestamp));
    }
}
