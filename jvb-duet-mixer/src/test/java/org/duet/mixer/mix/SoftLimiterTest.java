package org.duet.mixer.mix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SoftLimiterTest {

    @Test
    void quietSignalsPassUnchanged() {
        SoftLimiter l = new SoftLimiter(-1.0, 120);
        float[] in = sine(480, 440, 0.5f);
        short[] out = new short[480];
        l.process(in, out, 480);
        for (int i = 0; i < 480; i++) {
            assertThat(Math.abs(out[i] - in[i] * 32767f)).isLessThanOrEqualTo(1f);
        }
    }

    @Test
    void loudSumsNeverWrapOrHardClip() {
        SoftLimiter l = new SoftLimiter(-1.0, 120);
        // Two voices and a backing track at full scale: +10 dB over full scale.
        float[] in = sine(4800, 440, 1f);
        float[] b = sine(4800, 660, 1f);
        float[] c = sine(4800, 1000, 1f);
        for (int i = 0; i < in.length; i++) {
            in[i] += b[i] + c[i];
        }
        short[] out = new short[4800];
        for (int block = 0; block < 10; block++) {
            float[] chunk = java.util.Arrays.copyOfRange(in, block * 480, block * 480 + 480);
            short[] o = new short[480];
            l.process(chunk, o, 480);
            System.arraycopy(o, 0, out, block * 480, 480);
        }
        int atRail = 0;
        for (int i = 0; i < out.length; i++) {
            // The sign follows the input (no integer wrap) and the rails are never hit.
            if (Math.abs(in[i]) > 0.05f) {
                assertThat(Math.signum(out[i])).isEqualTo(Math.signum(in[i]));
            }
            if (Math.abs(out[i]) >= 32767) {
                atRail++;
            }
        }
        assertThat(atRail).isZero();
        assertThat(l.currentGain()).isLessThan(0.5f);
    }

    private static float[] sine(int n, double hz, float amp) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / 48_000));
        }
        return f;
    }
}
