package org.duet.mixer.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusSettings;
import org.junit.jupiter.api.Test;

/**
 * The delay gradient and loss from transport-wide feedback, fed as the parser feeds it (one
 * {@code onPacket} per reported packet), and what the adaptation does with them.
 */
class TransportCcEstimatorTest {

    /** Packets every 10 ms from t=0; send time of seq s = s * 10 ms. */
    private static long sent(int seq) {
        return seq * 10_000_000L;
    }

    /** Feeds feedback for seqs [from, from+n) with one-way delay base + growth per packet; every lossEvery-th lost. */
    private static void feedback(TransportCcEstimator e, int from, int n, double growthMsPerPacket, int lossEvery) {
        e.begin();
        for (int s = from; s < from + n; s++) {
            boolean lost = lossEvery > 0 && s % lossEvery == 0;
            long arrivalMicros = sent(s) / 1000 + 30_000 + Math.round(1000 * growthMsPerPacket * s);
            e.onPacket(s, !lost, lost ? Long.MIN_VALUE : arrivalMicros);
        }
        e.end(sent(from + n) + 30_000_000L);
    }

    @Test
    void aSteadyPathIsNotOverusedAndAGrowingQueueIs() {
        TransportCcEstimator steady = new TransportCcEstimator(TransportCcEstimatorTest::sent);
        for (int f = 0; f < 10; f++) {
            feedback(steady, f * 10, 10, 0, 0);
        }
        assertThat(steady.overusing()).isFalse();
        assertThat(steady.delayGradient()).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-6));

        TransportCcEstimator queue = new TransportCcEstimator(TransportCcEstimatorTest::sent);
        for (int f = 0; f < 10; f++) {
            feedback(queue, f * 10, 10, 1.0, 0); // 1 ms more per 10 ms sent: 0.1 ms/ms, a queue of 100 ms per second
        }
        assertThat(queue.overusing()).isTrue();
        assertThat(queue.delayGradient()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void lossIsHandedOutPerHalfSecondOfFeedback() {
        TransportCcEstimator e = new TransportCcEstimator(TransportCcEstimatorTest::sent);
        feedback(e, 0, 10, 0, 10); // 1 of 10 lost, but only 10 packets and no time yet
        assertThat(e.lossIntervalReady(sent(10) + 30_000_000L)).isFalse();
        for (int f = 1; f < 6; f++) {
            feedback(e, f * 10, 10, 0, 10);
        }
        long now = sent(60) + 30_000_000L;
        assertThat(e.lossIntervalReady(now)).isTrue();
        assertThat(e.takeLossPercent(now)).isEqualTo(10.0);
        assertThat(e.lossIntervalReady(now)).isFalse();
    }

    @Test
    void packetsWeDidNotSendSayNothing() {
        TransportCcEstimator e = new TransportCcEstimator(seq -> seq < 5 ? sent(seq) : Long.MIN_VALUE);
        feedback(e, 0, 10, 0, 0);
        assertThat(e.unknownPackets()).isEqualTo(5);
    }

    @Test
    void congestionStepsTheBitrateDownAndBackUp() {
        AdaptationConfig c = AdaptationConfig.defaults();
        OpusSettings base = new OpusSettings(1, 64_000, 5, false, 0, false, OpusApplication.RESTRICTED_LOWDELAY, 480);
        ReceiverAdaptation a = new ReceiverAdaptation("r", c, base, 480, true, false);
        long t = 0;
        OpusSettings s = a.onCongestion(true, 0.1, t);
        assertThat(s).isNotNull();
        assertThat(s.bitrate()).isEqualTo(48_000);
        assertThat(s.frameSamples()).isEqualTo(960);
        assertThat(a.onCongestion(true, 0.1, t + 100_000_000L)).as("at most one step per 500 ms").isNull();
        assertThat(a.onCongestion(true, 0.1, t + 600_000_000L).bitrate()).isEqualTo(38_000 + 400);
        assertThat(a.onCongestion(true, 0.1, t + 1_200_000_000L).bitrate()).isEqualTo(32_000);
        assertThat(a.onCongestion(true, 0.1, t + 1_800_000_000L)).as("no step below the last").isNull();
        // loss on top: the lower of the two wins, FEC on
        OpusSettings lossy = a.onLoss(10, t + 1_900_000_000L);
        assertThat(lossy.fec()).isTrue();
        assertThat(lossy.bitrate()).isEqualTo(32_000);
        // no overuse for a whole hold: one step back up per hold
        assertThat(a.onCongestion(false, 0.0, t + 3_000_000_000L)).isNull();
        OpusSettings up = a.onCongestion(false, 0.0, t + 1_800_000_000L + c.recoveryHoldMs() * 1_000_000L);
        assertThat(up).isNotNull();
        assertThat(a.congestionStep()).isEqualTo(2);
    }
}
