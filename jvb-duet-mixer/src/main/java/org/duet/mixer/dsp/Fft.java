package org.duet.mixer.dsp;

/**
 * In-place radix-2 complex FFT of one fixed size, on separate real and imaginary float arrays.
 * Twiddles and the bit-reversal swaps are computed once, so a transform allocates nothing (the
 * echo and howl detectors run one on the media loop every few ticks). Written here rather than
 * taken from a library: the well-kept Java FFTs (JTransforms) work on interleaved double arrays
 * and may start threads for large sizes; this is short and what the detectors need.
 *
 * <p>Speed (the echo detector's transforms were the media loop's largest cost, docs/performance.md):
 * each stage's twiddles sit side by side ({@code twr[half + k]}), so the butterflies read them in
 * order instead of with a stride; and two radix-2 stages are done in one pass over the arrays
 * (radix-2x2: four points loaded, both stages' butterflies in registers, four stored). The
 * arithmetic is the radix-2 butterflies' own, in the same order, so results are the same bits.
 */
public final class Fft {

    private final int n;
    private final int[] swapFrom;
    private final int[] swapTo;
    /** Twiddle e^{-i pi k / half} at {@code [half + k]}, k < half, for every stage's half size. */
    private final float[] twr;
    private final float[] twi;
    /** The inverse transform's twiddles: {@code -twi}. */
    private final float[] twiInverse;

    /** One transform per size, shared (log2 of the size -> instance). */
    private static final Fft[] SHARED = new Fft[31];

    /**
     * The transform of size {@code n}, one instance for every caller: a transform holds only its
     * tables, which never change, so any thread may use it. Every detector building its own was
     * the same 128 KB of tables (8192 points) once per singer, crowding each other out of the caches.
     */
    public static Fft shared(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two: " + n);
        }
        int log = Integer.numberOfTrailingZeros(n);
        synchronized (SHARED) {
            if (SHARED[log] == null) {
                SHARED[log] = new Fft(n);
            }
            return SHARED[log];
        }
    }

    public Fft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two: " + n);
        }
        this.n = n;
        int bits = Integer.numberOfTrailingZeros(n);
        int swaps = 0;
        for (int i = 0; i < n; i++) {
            if ((Integer.reverse(i) >>> (32 - bits)) > i) {
                swaps++;
            }
        }
        swapFrom = new int[swaps];
        swapTo = new int[swaps];
        swaps = 0;
        for (int i = 0; i < n; i++) {
            int j = Integer.reverse(i) >>> (32 - bits);
            if (j > i) {
                swapFrom[swaps] = i;
                swapTo[swaps++] = j;
            }
        }
        twr = new float[n];
        twi = new float[n];
        twiInverse = new float[n];
        for (int half = 1; half < n; half <<= 1) {
            for (int k = 0; k < half; k++) {
                // the same values the table of e^{-2 pi i j / n} held at j = k * n / (2 half)
                int j = k * (n / (2 * half));
                twr[half + k] = (float) Math.cos(-2 * Math.PI * j / n);
                twi[half + k] = (float) Math.sin(-2 * Math.PI * j / n);
                twiInverse[half + k] = -twi[half + k];
            }
        }
    }

    public int size() {
        return n;
    }

    /** Forward transform (e^{-i...}) in place. */
    public void forward(float[] re, float[] im) {
        transform(re, im, twi, false);
    }

    /** Inverse transform in place, scaled by 1/n. */
    public void inverse(float[] re, float[] im) {
        transform(re, im, twiInverse, true);
        float scale = 1f / n;
        for (int i = 0; i < n; i++) {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    private void transform(float[] re, float[] im, float[] wi, boolean inverse) {
        for (int s = 0; s < swapFrom.length; s++) {
            int i = swapFrom[s];
            int j = swapTo[s];
            float t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
        // The stages have half sizes 1, 2, 4, ... n/2. Half 1 has only the twiddle 1; an odd count of
        // the rest leaves one radix-2 stage before the pairs.
        for (int i = 0; i + 1 < n; i += 2) {
            float ar = re[i];
            float ai = im[i];
            float br = re[i + 1];
            float bi = im[i + 1];
            re[i + 1] = ar - br;
            im[i + 1] = ai - bi;
            re[i] = ar + br;
            im[i] = ai + bi;
        }
        int half = 2;
        if ((Integer.numberOfTrailingZeros(n) & 1) == 0 && half < n) {
            radix2(re, im, wi, half);
            half <<= 1;
        }
        for (; half < n; half <<= 2) {
            radix2x2(re, im, wi, half, inverse);
        }
    }

    private void radix2(float[] re, float[] im, float[] wi, int half) {
        for (int start = 0; start < n; start += half << 1) {
            for (int k = 0; k < half; k++) {
                float wr = twr[half + k];
                float wim = wi[half + k];
                int a = start + k;
                int b = a + half;
                float tr = re[b] * wr - im[b] * wim;
                float ti = re[b] * wim + im[b] * wr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
    }

    /**
     * The stages of half sizes h and 2h in one pass. Points a0..a3 are h apart: stage h pairs
     * (a0, a1) and (a2, a3) with twiddle w1 = W(h, k); stage 2h pairs (a0, a2) with w2 = W(2h, k)
     * and (a1, a3) with W(2h, k + h) = w2 * -i (forward) or w2 * +i (inverse).
     */
    private void radix2x2(float[] re, float[] im, float[] wi, int h, boolean inverse) {
        for (int start = 0; start < n; start += h << 2) {
            for (int k = 0; k < h; k++) {
                float w1r = twr[h + k];
                float w1i = wi[h + k];
                float w2r = twr[2 * h + k];
                float w2i = wi[2 * h + k];
                int a0 = start + k;
                int a1 = a0 + h;
                int a2 = a1 + h;
                int a3 = a2 + h;
                // stage h
                float tr = re[a1] * w1r - im[a1] * w1i;
                float ti = re[a1] * w1i + im[a1] * w1r;
                float y1r = re[a0] - tr;
                float y1i = im[a0] - ti;
                float y0r = re[a0] + tr;
                float y0i = im[a0] + ti;
                tr = re[a3] * w1r - im[a3] * w1i;
                ti = re[a3] * w1i + im[a3] * w1r;
                float y3r = re[a2] - tr;
                float y3i = im[a2] - ti;
                float y2r = re[a2] + tr;
                float y2i = im[a2] + ti;
                // stage 2h
                tr = y2r * w2r - y2i * w2i;
                ti = y2r * w2i + y2i * w2r;
                re[a2] = y0r - tr;
                im[a2] = y0i - ti;
                re[a0] = y0r + tr;
                im[a0] = y0i + ti;
                float vr = y3r * w2r - y3i * w2i;
                float vi = y3r * w2i + y3i * w2r;
                if (inverse) { // (vr + i vi) * i
                    tr = -vi;
                    ti = vr;
                } else {       // (vr + i vi) * -i
                    tr = vi;
                    ti = -vr;
                }
                re[a3] = y1r - tr;
                im[a3] = y1i - ti;
                re[a1] = y1r + tr;
                im[a1] = y1i + ti;
            }
        }
    }
}
