package org.duet.jitsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RecordingClockTest {

    private static final int RATE = 48_000;

    @Test
    void followsAContextClockThatRunsSlowAndIgnoresLateReadings() {
        // the context renders 2 % slow: sample i is really at 1000 + i * (1/48 ms) * 1.02;
        // each reading is +/-1 ms noisy, and every 10th one came 30 ms late
        Random random = new Random(5);
        double[][] readings = new double[400][];
        for (int k = 0; k < readings.length; k++) {
            double i = k * 960.0;
            double trueStart = 1000 + i * (1000.0 / RATE) * 0.02; // start implied at sample i
            double noise = (random.nextDouble() - 0.5) * 2 + (k % 10 == 0 ? 30 : 0);
            readings[k] = new double[] {i, trueStart + noise};
        }
        RecordingClock c = RecordingClock.fit(1080, readings);
        double i = 48_000 * 8; // 8 s in
        assertThat(c.epochMsAt(i, RATE)).isCloseTo(1000 + 8000 * 1.02, within(1.0));
        assertThat(c.epochMsAt(0, RATE)).isCloseTo(1000, within(1.0));
    }

    @Test
    void tooFewReadingsKeepTheMedianStart() {
        RecordingClock c = RecordingClock.fit(1234.5, new double[][] {{0, 1000}, {960, 1001}});
        assertThat(c.epochMsAt(48_000, RATE)).isEqualTo(2234.5);
    }
}
