package org.duet.bench.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClickDelaysTest {

    private static final int RATE = ClickSignal.RATE;

    @Test
    void timesEveryClickThatArrivesAndNoneThatWasLost() {
        float[] mic = loop(ClickSignal.singer(440, 3000, 0), 3); // 12 s, 24 clicks
        int delay = RATE * 57 / 1000;
        int base = RATE / 10; // the ear's recording started 100 ms before the microphone's
        float[] ear = new float[mic.length + base + delay];
        Random noise = new Random(1);
        for (int i = 0; i < ear.length; i++) {
            ear[i] = (float) (noise.nextGaussian() * 0.01);
        }
        for (int i = 0; i < mic.length; i++) {
            ear[i + base + delay] += 0.8f * mic[i];
        }
        // the ear lost the audio between 5 and 6 s of the microphone (two clicks): silence there
        java.util.Arrays.fill(ear, base + delay + 5 * RATE, base + delay + 6 * RATE, 0f);

        List<ClickDelays.Click> clicks = ClickDelays.find(mic, ear, base, 3000, 0, 800);

        assertThat(clicks).hasSize(22);
        assertThat(clicks).allSatisfy(c -> assertThat(c.delayMs()).isCloseTo(57.0, org.assertj.core.data.Offset.offset(0.1)));
        assertThat(clicks).noneMatch(c -> c.atS() > 5 && c.atS() < 6);
    }

    @Test
    void theOtherSingersClicksAreNotTakenForOnes() {
        float[] mic = loop(ClickSignal.singer(440, 3000, 0), 2);
        float[] ear = loop(ClickSignal.singer(660, 4500, 0.2), 2); // only the other singer is heard
        assertThat(ClickDelays.find(mic, ear, 0, 3000, 0, 800)).isEmpty();
    }

    private static float[] loop(float[] x, int times) {
        float[] y = new float[x.length * times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(x, 0, y, t * x.length, x.length);
        }
        return y;
    }
}
