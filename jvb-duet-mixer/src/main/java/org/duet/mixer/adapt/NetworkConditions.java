package org.duet.mixer.adapt;

/**
 * What one receiver's feedback says about its path, as of its last report: loss in the last report
 * interval, cumulative loss, interarrival jitter and round trip (RFC 3550 report blocks), and
 * where the browser negotiated it, transport-wide feedback (loss over the last feedback packets).
 * Plain fields, written on the media loop, read by stats (a report stale at most).
 */
public final class NetworkConditions {

    volatile double lossPercent;
    volatile long cumulativeLost;
    volatile double jitterMs;
    volatile double rttMs = Double.NaN;
    volatile long reports;
    volatile long lastReportNanos;
    /** transport-cc delay gradient, ms of queue growth per ms (NaN: no transport-cc feedback). */
    volatile double delayGradient = Double.NaN;

    public double delayGradient() {
        return delayGradient;
    }

    public double lossPercent() {
        return lossPercent;
    }

    public long cumulativeLost() {
        return cumulativeLost;
    }

    public double jitterMs() {
        return jitterMs;
    }

    public double rttMs() {
        return rttMs;
    }

    public long reports() {
        return reports;
    }
}
