package org.duet.bench.analysis;

/** In-place iterative radix-2 complex FFT (lengths must be powers of two). */
final class Fft {

    private Fft() {
    }

    /** Forward (inverse=false) or unscaled inverse transform of re + i*im. */
    static void transform(double[] re, double[] im, boolean inverse) {
        int n = re.length;
        if (Integer.bitCount(n) != 1 || im.length != n) {
            throw new IllegalArgumentException("length must be a power of two");
        }
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = 2 * Math.PI / len * (inverse ? 1 : -1);
            double wRe = Math.cos(angle), wIm = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double curRe = 1, curIm = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k, b = i + k + len / 2;
                    double xRe = re[b] * curRe - im[b] * curIm;
                    double xIm = re[b] * curIm + im[b] * curRe;
                    re[b] = re[a] - xRe;
                    im[b] = im[a] - xIm;
                    re[a] += xRe;
                    im[a] += xIm;
                    double nextRe = curRe * wRe - curIm * wIm;
                    curIm = curRe * wIm + curIm * wRe;
                    curRe = nextRe;
                }
            }
        }
    }

    /**
     * dot[k] = sum_i signal[k+i] * template[i] for k in [0, signal.length - template.length], by
     * overlap-save blocks so memory stays small for long signals.
     */
    static double[] slidingDot(float[] signal, float[] template) {
        int m = template.length;
        int outLen = signal.length - m + 1;
        if (outLen <= 0) {
            return new double[0];
        }
        int size = Integer.highestOneBit(Math.max(4 * m, 8192) - 1) << 1;
        int step = size - m + 1;
        double[] tRe = new double[size], tIm = new double[size];
        for (int i = 0; i < m; i++) {
            tRe[i] = template[i];
        }
        transform(tRe, tIm, false);
        double[] out = new double[outLen];
        double[] re = new double[size], im = new double[size];
        for (int start = 0; start < outLen; start += step) {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            int n = Math.min(size, signal.length - start);
            for (int i = 0; i < n; i++) {
                re[i] = signal[start + i];
            }
            transform(re, im, false);
            // correlation: X * conj(T)
            for (int i = 0; i < size; i++) {
                double r = re[i] * tRe[i] + im[i] * tIm[i];
                double q = im[i] * tRe[i] - re[i] * tIm[i];
                re[i] = r;
                im[i] = q;
            }
            transform(re, im, true);
            int count = Math.min(step, outLen - start);
            for (int k = 0; k < count; k++) {
                out[start + k] = re[k] / size;
            }
        }
        return out;
    }
}
