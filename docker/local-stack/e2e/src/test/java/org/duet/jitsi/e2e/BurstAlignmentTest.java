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
