package org.duet.bench.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {

    @Test
    void slidingDotEqualsTheDirectSumAcrossBlockBoundaries() {
        Random rnd = new Random(3);
        float[] signal = new float[30_001];
        float[] template = new float[480];
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < template.length; i++) {
            template[i] = (float) rnd.nextGaussian();
        }
        double[] fast = Fft.slidingDot(signal, template);
        assertThat(fast).hasSize(signal.length - template.length + 1);
        for (int k : new int[] {0, 1, 7000, 7713, 7714, 16_383, 16_384, 29_521}) {
            double direct = 0;
            for (int i = 0; i < template.length; i++) {
                direct += signal[k + i] * template[i];
            }
            assertThat(fast[k]).as("lag %d", k).isCloseTo(direct, within(1e-6 * (1 + Math.abs(direct))));
        }
    }
}
