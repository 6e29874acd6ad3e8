package org.duet.mixer.dsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The FFTs against a plain DFT computed in doubles, for every stage layout (odd and even log2 sizes). */
class FftTest {

    private static double[][] dft(float[] re, float[] im, int sign) {
        int n = re.length;
        double[][] out = new double[2][n];
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int t = 0; t < n; t++) {
                double a = sign * 2 * Math.PI * ((long) k * t % n) / n;
                sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
                si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
            }
            out[0][k] = sr;
            out[1][k] = si;
        }
        return out;
    }

    @Test
    void forwardAndInverseMatchTheDefinition() {
        Random random = new Random(7);
        for (int n : new int[] {2, 4, 8, 16, 32, 256, 512, 1024}) {
            float[] re = new float[n];
            float[] im = new float[n];
            for (int i = 0; i < n; i++) {
                re[i] = random.nextFloat() - 0.5f;
                im[i] = random.nextFloat() - 0.5f;
            }
            double[][] want = dft(re, im, -1);
            float[] xr = re.clone();
            float[] xi = im.clone();
            Fft fft = new Fft(n);
            fft.forward(xr, xi);
            double tolerance = 1e-5 * n;
            for (int k = 0; k < n; k++) {
                assertThat((double) xr[k]).as("n=%d re[%d]", n, k).isCloseTo(want[0][k], within(tolerance));
                assertThat((double) xi[k]).as("n=%d im[%d]", n, k).isCloseTo(want[1][k], within(tolerance));
            }
            fft.inverse(xr, xi);
            for (int t = 0; t < n; t++) {
                assertThat((double) xr[t]).as("n=%d round trip re[%d]", n, t).isCloseTo(re[t], within(1e-5));
                assertThat((double) xi[t]).as("n=%d round trip im[%d]", n, t).isCloseTo(im[t], within(1e-5));
            }
        }
    }

    @Test
    void theSharedTransformIsOnePerSizeAndComputesAsItsOwnWould() {
        Random random = new Random(5);
        for (int n : new int[] {2, 1024, 8192}) {
            assertThat(Fft.shared(n)).isSameAs(Fft.shared(n));
            assertThat(Fft.shared(n).size()).isEqualTo(n);
            float[] re = new float[n];
            float[] im = new float[n];
            for (int i = 0; i < n; i++) {
                re[i] = random.nextFloat() - 0.5f;
                im[i] = random.nextFloat() - 0.5f;
            }
            float[] sharedRe = re.clone();
            float[] sharedIm = im.clone();
            Fft.shared(n).forward(sharedRe, sharedIm);
            new Fft(n).forward(re, im);
            assertThat(sharedRe).isEqualTo(re);
            assertThat(sharedIm).isEqualTo(im);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fft.shared(12))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void realInverseFromHalfTheSpectrumGivesTheRealSignal() {
        Random random = new Random(11);
        for (int n : new int[] {4, 8, 64, 1024, 8192}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = random.nextFloat() - 0.5f;
            }
            float[] re = x.clone();
            float[] im = new float[n];
            new Fft(n).forward(re, im);
            java.util.Arrays.fill(re, n / 2 + 1, n, Float.NaN); // only bins 0..n/2 may be read
            java.util.Arrays.fill(im, n / 2 + 1, n, Float.NaN);
            float[] out = new float[n];
            new RealInverseFft(n).inverse(re, im, out);
            for (int t = 0; t < n; t++) {
                assertThat((double) out[t]).as("n=%d x[%d]", n, t).isCloseTo(x[t], within(1e-5));
            }
        }
    }

    @Test
    void realForwardGivesTheBinsOfTheFullTransform() {
        Random random = new Random(13);
        for (int n : new int[] {4, 8, 64, 2048}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = random.nextFloat() - 0.5f;
            }
            float[] wantRe = x.clone();
            float[] wantIm = new float[n];
            new Fft(n).forward(wantRe, wantIm);
            float[] re = new float[n / 2 + 1];
            float[] im = new float[n / 2 + 1];
            new RealForwardFft(n).forward(x, re, im);
            for (int k = 0; k <= n / 2; k++) {
                assertThat((double) re[k]).as("n=%d re[%d]", n, k).isCloseTo(wantRe[k], within(1e-5 * n));
                assertThat((double) im[k]).as("n=%d im[%d]", n, k).isCloseTo(wantIm[k], within(1e-5 * n));
            }
        }
    }

    @Test
    void sizesThatAreNotPowersOfTwoAreRefused() {
        assertThatThrownBy(() -> new Fft(12)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RealInverseFft(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RealForwardFft(24)).isInstanceOf(IllegalArgumentException.class);
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }
}
