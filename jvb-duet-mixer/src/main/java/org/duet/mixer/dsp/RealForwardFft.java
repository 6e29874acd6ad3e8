package org.duet.mixer.dsp;

/**
 * The FFT of a real signal of n samples, bins 0..n/2 (the others are their mirror images), through
 * one complex FFT of n/2 points: the even samples go in as the real part, the odd ones as the
 * imaginary part, and the two half-length spectra are separated and combined afterwards. About
 * half the work of {@link Fft#forward} with a zero imaginary part (the howl suppressor takes one
 * per singer every 20 ms).
 *
 * <pre>
 *   z[m] = x[2m] + i x[2m+1],  Z = forward_{n/2}(z)
 *   for k <= n/2 (Z[n/2] = Z[0]):
 *     E[k] = (Z[k] + conj Z[n/2-k]) / 2        (spectrum of the even samples)
 *     O[k] = (Z[k] - conj Z[n/2-k]) / 2i       (spectrum of the odd samples)
 *     X[k] = E[k] + e^{-2 pi i k/n} O[k]
 * </pre>
 *
 * Allocates nothing after construction.
 */
public final class RealForwardFft {

    private final int n;
    private final Fft half;
    private final float[] zr;
    private final float[] zi;
    private final float[] cos;
    private final float[] sin;

    public RealForwardFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("size must be a power of two >= 4: " + n);
        }
        this.n = n;
        half = Fft.shared(n / 2); // its tables only: shared by every instance
        zr = new float[n / 2];
        zi = new float[n / 2];
        cos = new float[n / 2 + 1];
        sin = new float[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++) {
            cos[k] = (float) Math.cos(2 * Math.PI * k / n);
            sin[k] = (float) Math.sin(2 * Math.PI * k / n);
        }
    }

    public int size() {
        return n;
    }

    /** Bins 0..n/2 of the spectrum of {@code x[0..n)} into {@code re[0..n/2], im[0..n/2]}. */
    public void forward(float[] x, float[] re, float[] im) {
        int m = n / 2;
        for (int j = 0; j < m; j++) {
            zr[j] = x[2 * j];
            zi[j] = x[2 * j + 1];
        }
        half.forward(zr, zi);
        for (int k = 0; k <= m; k++) {
            int a = k == m ? 0 : k;
            int b = k == 0 ? 0 : m - k;
            float ar = zr[a];
            float ai = zi[a];
            float br = zr[b];  // conj Z[m - k]
            float bi = -zi[b];
            float er = 0.5f * (ar + br);
            float ei = 0.5f * (ai + bi);
            float or = 0.5f * (ai - bi); // (Z[k] - conj Z[m-k]) / 2i
            float oi = -0.5f * (ar - br);
            float c = cos[k];
            float s = -sin[k];          // e^{-2 pi i k/n} = c + i s
            re[k] = er + c * or - s * oi;
            im[k] = ei + c * oi + s * or;
        }
    }
}
