package org.duet.jitsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ToneOutageTest {

    private static final int RATE = SingerSignals.RATE;

    /** 8 s of a 440 Hz tone, silent from {@code gapFrom} for {@code gapSeconds} (s). */
    private static float[] toneWithGap(double gapFrom, double gapSeconds) {
        float[] x = new float[RATE * 8];
        for (int i = 0; i < x.length; i++) {
            double t = (double) i / RATE;
            boolean gap = t >= gapFrom && t < gapFrom + gapSeconds;
            x[i] = gap ? 0f : (float) (0.25 * Math.sin(2 * Math.PI * 440 * t));
        }
        return x;
    }

    @Test
    void theOutageStartingAfterTheBufferedAudioIsMeasured() {
        // killed at 1.5 s, the receiver's buffer plays on for 400 ms, then 700 ms of nothing
        double ms = ToneOutage.longestAfterMs(toneWithGap(1.9, 0.7), 10_000, 440, 11_500);
        assertThat(ms).isCloseTo(700, within(60.0));
    }

    @Test
    void noOutageIsZero() {
        assertThat(ToneOutage.longestAfterMs(toneWithGap(9, 0), 10_000, 440, 11_500)).isLessThan(30);
    }

    @Test
    void aToneThatNeverComesBackIsAnEndlessOutage() {
        assertThat(ToneOutage.longestAfterMs(toneWithGap(1.9, 10), 10_000, 440, 11_500)).isInfinite();
    }

    @Test
    void aFewGlitchedWindowsAtTheVeryEndAreNotAnEndlessOutage() {
        float[] x = toneWithGap(1.9, 0.7);
        // the capture ends on glitches: its last 300 ms silent but for 60 ms
        int end = x.length;
        java.util.Arrays.fill(x, end - RATE * 3 / 10, end - RATE * 18 / 100, 0f);
        java.util.Arrays.fill(x, end - RATE * 12 / 100, end, 0f);
        double ms = ToneOutage.longestAfterMs(x, 10_000, 440, 11_500);
        assertThat(ms).isBetween(600.0, 800.0);
    }
}
