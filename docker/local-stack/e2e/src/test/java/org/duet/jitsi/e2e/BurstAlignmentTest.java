package org.duet.jitsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.duet.jitsi.e2e.Participant.Track;
import org.junit.jupiter.api.Test;

/** The listener-alignment measurement on made-up recordings whose delays are known. */
class BurstAlignmentTest {

    private static final int RATE = SingerSignals.RATE;

    @Test
    void aDelayOfMoreThanABurstGapThatDriftsForBothVoicesIsMeasuredAsTheirDifference() {
        float[] a = loops(SingerSignals.singer(SingerSignals.TONE_A, SingerSignals.BURSTS_A, 0), 3);
        float[] b = loops(SingerSignals.singer(SingerSignals.TONE_B, SingerSignals.BURSTS_B, 0.11), 3);
        // the listener: A 1100 ms late, B 1103 ms late, both 40 ms later every second (a playout that
        // steps, as a jitter buffer does), plus noise
        float[] out = new float[a.length + RATE * 2];
        Random noise = new Random(7);
        for (int i = 0; i < out.length; i++) {
            double t = i / (double) RATE;
            double drift = 0.040 * Math.floor(t);
            out[i] = (float) (0.5 * (at(a, t - 1.100 - drift) + at(b, t - 1.103 - drift)) + 0.003 * noise.nextGaussian());
        }
        double start = 1_000_000;
        BurstAlignment.Result r = BurstAlignment.measure(new Track(a, start, RATE), new Track(b, start, RATE),
                new Track(out, start, RATE), SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
        assertThat(r.a().delayMs().length).isGreaterThanOrEqualTo(15);
        assertThat(r.a().median()).isBetween(1100.0, 1100.0 + 40 * 15);
        assertThat(r.errorsMs().length).isGreaterThanOrEqualTo(12);
        assertThat(r.errorP50()).isCloseTo(3.0, within(0.5));
        // a step between a burst of A and the B bursts around it is the one place the interpolation misses
        assertThat(r.errorP95()).isLessThan(45.0);
    }

    @Test
    void nearPairsTakeOnlyBurstsThatPlayedCloseTogether() {
        BurstAlignment.Delays a = new BurstAlignment.Delays(new double[] {1000, 2000, 3000},
                new double[] {500, 510, 520}, 3);
        BurstAlignment.Delays b = new BurstAlignment.Delays(new double[] {1100, 2600, 2950},
                new double[] {497, 900, 530}, 3);
        // A at 1000 pairs with B at 1100 (3 ms), A at 2000 has no B within 150 ms, A at 3000 pairs with 2950
        assertThat(BurstAlignment.nearPairErrors(a, b, 150)).containsExactly(3.0, -10.0);
    }

    @Test
    void topQuantileIsTheSortedCopysValue() {
        java.util.Random r = new java.util.Random(3);
        float[] x = new float[100_003];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] sorted = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            sorted[i] = Math.abs(x[i]);
        }
        java.util.Arrays.sort(sorted);
        for (double q : new double[] {0.9999, 0.999, 0.5}) {
            assertThat(BurstAlignment.topQuantile(x, q)).as("q " + q)
                    .isEqualTo(sorted[(int) Math.min(sorted.length - 1, sorted.length * q)]);
        }
    }

    private static float[] loops(float[] x, int n) {
        float[] y = new float[x.length * n];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[i % x.length];
        }
        return y;
    }

    private static double at(float[] x, double seconds) {
        int i = (int) Math.round(seconds * RATE);
        return i >= 0 && i < x.length ? x[i] : 0;
    }
}
