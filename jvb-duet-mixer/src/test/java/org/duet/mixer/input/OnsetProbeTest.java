package org.duet.mixer.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.clock.ServerClock;
import org.junit.jupiter.api.Test;

/** The measuring aid finds short high bursts on a steady low tone, to the millisecond. */
class OnsetProbeTest {

    @Test
    void findsEachBurstOnASteadyToneWithinAMillisecond() {
        int rate = 48_000;
        float[] x = new float[rate * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.25 * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        int[] bursts = {12_345, 60_000, 100_111};
        double[] hz = {2000, 5600, 8600};
        for (int k = 0; k < bursts.length; k++) {
            for (int i = 0; i < 960; i++) {
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / 959);
                x[bursts[k] + i] += (float) (0.5 * w * Math.sin(2 * Math.PI * hz[k] * i / rate));
            }
        }
        OnsetProbe probe = new OnsetProbe();
        ServerClock clock = ServerClock.startingNow();
        float[] frame = new float[960];
        List<Long> found = new ArrayList<>();
        for (int f = 0; f + 960 <= x.length; f += 960) {
            System.arraycopy(x, f, frame, 0, 960);
            long at = probe.frame(frame, 960, f, 0, 0, clock, 0);
            if (at >= 0) {
                found.add(at);
            }
        }
        System.out.println("onsets at " + found + " (bursts start at 12345, 60000, 100111)");
        assertThat(found).hasSize(3);
        for (int k = 0; k < 3; k++) {
            // a Hann burst reaches a quarter of its peak difference a few ms into its window
            assertThat(found.get(k) - bursts[k]).isBetween(0L, 48L * 8);
        }
    }
}
