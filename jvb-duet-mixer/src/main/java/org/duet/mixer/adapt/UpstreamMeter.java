package org.duet.mixer.adapt;

import org.duet.mixer.rtcp.ReceptionStatistics;

/**
 * What we see of one singer's stream to us, per report interval: loss (from the reception
 * statistics' expected and received counts, the same figures our report block carries) and the
 * bitrate that arrived. It feeds the singer's upstream {@link ReceiverAdaptation}, whose decision
 * is the advice sent to the singer's page. Media loop only; the figures are readable from stats.
 */
public final class UpstreamMeter {

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
        expectedPrior = expected;
        receivedPrior = received;
        bytesPrior = bytesIn;
        nanosPrior = nowNanos;
        if (dExpected <= 0) {
            return;
        }
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
