package org.duet.bench.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GoertzelTest {

    @Test
    void measuresTheAmplitudeOfItsFrequencyAndIgnoresOthers() {
        float[] x = new float[2000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 1000 * i / 48_000.0 + 0.4)
                    + 0.1 * Math.sin(2 * Math.PI * 1600 * i / 48_000.0));
        }
        assertThat(Goertzel.amplitude(x, 100, 720, 1000, 48_000)).isCloseTo(0.3, within(0.01));
        assertThat(Goertzel.amplitude(x, 100, 720, 1600, 48_000)).isCloseTo(0.1, within(0.01));
        assertThat(Goertzel.amplitude(x, 100, 720, 2400, 48_000)).isLessThan(0.005);
    }
}
