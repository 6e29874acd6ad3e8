package org.duet.mixer.dsp;

/**
 * The inverse FFT of a real signal's spectrum, from its bins 0..n/2 only (the others are their
 * mirror images, {@code X[n-k] = conj X[k]}), through one complex FFT of n/2 points: the even and
 * odd output samples are the real and imaginary parts of that half-size transform. About half the
 * work of {@link Fft#inverse} of the full spectrum (the echo detector's correlation is real).
 *
 * <pre>
 *   for k < n/2:  E[k] = (X[k] + X[k + n/2]) / 2            (spectrum of x[0], x[2], ...)
 *                 O[k] = (X[k] - X[k + n/2]) e^{2 pi i k/n} / 2 (spectrum of x[1], x[3], ...)
 *                 z = inverse_{n/2}(E + i O):  x[2m] = Re z[m],  x[2m+1] = Im z[m]
 * </pre>
 *
 * Allocates nothing after construction.
 */
public final class RealInverseFft {

    private final int n;
    private final Fft half;
    private final float[] zr;
    private final float[] zi;
    private final float[] cos;
    private final float[] sin;

    public RealInverseFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("size must be a power of two >= 4: " + n);
        }
        this.n = n;
        half = Fft.shared(n / 2); // its tables only: shared by every instance
        zr = new float[n / 2];
        zi = new float[n / 2];
        cos = new float[n / 2];
        sin = new float[n / 2];
        for (int k = 0; k < n / 2; k++) {
            cos[k] = (float) Math.cos(2 * Math.PI * k / n);
            sin[k] = (float) Math.sin(2 * Math.PI * k / n);
        }
    }

    public int size() {
        return n;
    }

    /**
     * Writes the real signal of {@code n} samples, scaled by 1/n like {@link Fft#inverse}, whose
     * spectrum has bins {@code re[0..n/2], im[0..n/2]} (read only; entries past n/2 are ignored).
     */
    public void inverse(float[] re, float[] im, float[] out) {
        int m = n / 2;
        for (int k = 0; k < m; k++) {
            float ar = re[k];
            float ai = im[k];
            float br = re[m - k]; // X[k + m] = conj X[m - k]
            float bi = -im[m - k];
            float er = 0.5f * (ar + br);
            float ei = 0.5f * (ai + bi);
            float dr = 0.5f * (ar - br);
            float di = 0.5f * (ai - bi);
            float or = dr * cos[k] - di * sin[k];
            float oi = dr * sin[k] + di * cos[k];
            zr[k] = er - oi;
            zi[k] = ei + or;
        }
        half.inverse(zr, zi);
        for (int j = 0; j < m; j++) {
            out[2 * j] = zr[j];
            out[2 * j + 1] = zi[j];
        }
    }
}
