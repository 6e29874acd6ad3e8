package org.duet.mixer.adapt;

import org.duet.mixer.rtcp.ReceptionStatistics;

/**
 * What we see of one singer's stream to us: loss (from the reception statistics' expected and
 * received counts, the same figures our report block carries) and the bitrate that arrived. It
 * feeds the singer's upstream {@link ReceiverAdaptation}, whose decision is the advice sent to the
 * singer's page. Media loop only; the figures are readable from stats.
 *
 * <p>Loss is judged over at least {@link #MIN_PACKETS} expected packets (2 s of 20 ms packets; one
 * report interval or more), not per report interval: a report interval of 0.5-1.5 s holds 25-75
 * packets, so one lost packet read 1.3-4 % and a path losing 2 % (the policy's threshold) crossed
 * it every other interval; and a packet reordered across an interval's end counts as lost in one
 * and found in the next. The advice then turned FEC on and off every few seconds (the bench's
 * simulated duet, singer B at 2 % loss).
 */
public final class UpstreamMeter {

    /** Expected packets a loss figure is judged over, at least. */
    static final long MIN_PACKETS = 100;

    private long expectedPrior;
    private long receivedPrior;
    private long bytesPrior;
    private long nanosPrior;
    private volatile double kbps = Double.NaN;
    private volatile double lossPercent;

    /** Call once per report interval, before the report block is written. */
    public void onInterval(ReceptionStatistics reception, long bytesIn, long nowNanos, ReceiverAdaptation advice) {
        long expected = reception.expected();
        long received = reception.received();
        long dExpected = expected - expectedPrior;
        long dReceived = received - receivedPrior;
        if (nanosPrior != 0 && nowNanos > nanosPrior) {
            kbps = (bytesIn - bytesPrior) * 8e6 / (nowNanos - nanosPrior);
        }
        bytesPrior = bytesIn;
        nanosPrior = nowNanos;
        if (dExpected < MIN_PACKETS) {
            if (dExpected < 0) { // a new sequence base (the sender restarted): start over
                expectedPrior = expected;
                receivedPrior = received;
            }
            return; // not enough packets yet to judge: the window goes on
        }
        expectedPrior = expected;
        receivedPrior = received;
        lossPercent = Math.max(0, dExpected - dReceived) * 100.0 / dExpected;
        advice.onJitter(reception.jitter() / 48.0);
        advice.onLoss(lossPercent, nowNanos);
    }

    /** Bitrate that arrived over the last interval (RTP and RTCP, headers included), kb/s. */
    public double kbps() {
        return kbps;
    }

    public double lossPercent() {
        return lossPercent;
    }
}
