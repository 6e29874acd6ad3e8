package org.duet.mixer.dsp;

/**
 * In-place radix-2 complex FFT of one fixed size, on separate real and imaginary float arrays.
 * Twiddles and the bit-reversal table are computed once, so a transform allocates nothing (the
 * echo and howl detectors run one on the media loop every few ticks). Written here rather than
 * taken from a library: the well-kept Java FFTs (JTransforms) work on interleaved double arrays
 * and may start threads for large sizes; this is 60 lines and what the detectors need.
 */
public final class Fft {

    private final int n;
    private final int[] reverse;
    private final float[] cos;
    private final float[] sin;

    public Fft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two: " + n);
        }
        this.n = n;
        int bits = Integer.numberOfTrailingZeros(n);
        reverse = new int[n];
        for (int i = 0; i < n; i++) {
            reverse[i] = Integer.reverse(i) >>> (32 - bits);
        }
        cos = new float[n / 2];
        sin = new float[n / 2];
        for (int i = 0; i < n / 2; i++) {
            cos[i] = (float) Math.cos(-2 * Math.PI * i / n);
            sin[i] = (float) Math.sin(-2 * Math.PI * i / n);
        }
    }

    public int size() {
        return n;
    }

    /** Forward transform (e^{-i...}) in place. */
    public void forward(float[] re, float[] im) {
        transform(re, im, false);
    }

    /** Inverse transform in place, scaled by 1/n. */
    public void inverse(float[] re, float[] im) {
        transform(re, im, true);
        float scale = 1f / n;
        for (int i = 0; i < n; i++) {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    private void transform(float[] re, float[] im, boolean inverse) {
        for (int i = 0; i < n; i++) {
            int j = reverse[i];
            if (j > i) {
                float t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int size = 2; size <= n; size <<= 1) {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size) {
                for (int k = 0; k < half; k++) {
                    float wr = cos[k * step];
                    float wi = inverse ? -sin[k * step] : sin[k * step];
                    int a = start + k;
                    int b = a + half;
                    float tr = re[b] * wr - im[b] * wi;
                    float ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }
}
