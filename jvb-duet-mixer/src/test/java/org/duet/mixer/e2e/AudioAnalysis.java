package org.duet.mixer.e2e;

/**
 * Measurements on recorded audio (48 kHz mono floats): tone levels by Goertzel, band-pass
 * filtering, and delays by cross-correlation (coarse on envelopes, then refined on samples).
 */
public final class AudioAnalysis {

    private AudioAnalysis() {
    }

    /** Amplitude of the {@code hz} component in {@code x[from, to)} (a full-scale sine gives 1). */
    public static double toneAmplitude(float[] x, int from, int to, double hz, int sampleRate) {
        int n = to - from;
        if (n <= 0) {
            return 0;
        }
        double w = 2 * Math.PI * hz / sampleRate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double window = 0.5 - 0.5 * Math.cos(2 * Math.PI * (i - from) / (n - 1)); // Hann: low leakage
            double s = x[i] * window + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / (n * 0.5); // Hann has coherent gain 0.5
    }

    public static double db(double ratio) {
        return 20 * Math.log10(Math.max(ratio, 1e-12));
    }

    public static double rms(float[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += x[i] * (double) x[i];
        }
        return to > from ? Math.sqrt(sum / (to - from)) : 0;
    }

    /** A band-pass (RBJ biquad, constant peak gain) around {@code hz}, applied twice for steeper skirts. */
    public static float[] bandPass(float[] x, double hz, double q, int sampleRate) {
        return biquadBandPass(biquadBandPass(x, hz, q, sampleRate), hz, q, sampleRate);
    }

    private static float[] biquadBandPass(float[] x, double hz, double q, int sampleRate) {
        double w0 = 2 * Math.PI * hz / sampleRate;
        double alpha = Math.sin(w0) / (2 * q);
        double a0 = 1 + alpha;
        double b0 = alpha / a0;
        double b2 = -alpha / a0;
        double a1 = -2 * Math.cos(w0) / a0;
        double a2 = (1 - alpha) / a0;
        float[] y = new float[x.length];
        double x1 = 0;
        double x2 = 0;
        double y1 = 0;
        double y2 = 0;
        for (int i = 0; i < x.length; i++) {
            double out = b0 * x[i] + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x[i];
            y2 = y1;
            y1 = out;
            y[i] = (float) out;
        }
        return y;
    }

    /**
     * The lag (in samples) at which {@code signal} best matches {@code reference}: the d that
     * maximises sum ref[n] * signal[n + base + d] for d in [minLag, maxLag], where {@code base}
     * is where ref[0] falls in the signal's frame. Found on 1 kHz envelopes first, then refined
     * on the samples within 2 ms of the coarse peak.
     *
     * @return {lag, normalisedPeak}; the peak is the correlation coefficient at the lag (0..1)
     */
    public static double[] delay(float[] reference, float[] signal, int base, int minLag, int maxLag) {
        int decim = 48;
        float[] envRef = envelope(reference, decim);
        float[] envSig = envelope(signal, decim);
        int coarseBase = Math.floorDiv(base, decim);
        int bestCoarse = minLag / decim;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int d = minLag / decim; d <= maxLag / decim; d++) {
            double c = dot(envRef, envSig, coarseBase + d);
            if (c > bestValue) {
                bestValue = c;
                bestCoarse = d;
            }
        }
        int center = bestCoarse * decim;
        int best = center;
        double bestFine = Double.NEGATIVE_INFINITY;
        for (int d = center - 2 * decim; d <= center + 2 * decim; d++) {
            double c = dot(reference, signal, base + d);
            if (c > bestFine) {
                bestFine = c;
                best = d;
            }
        }
        double norm = Math.sqrt(energy(reference, signal, base + best, true) * energy(reference, signal, base + best, false));
        return new double[] {best, norm > 0 ? bestFine / norm : 0};
    }

    /** Sum of ref[n] * sig[n + shift] over the overlap. */
    private static double dot(float[] ref, float[] sig, int shift) {
        int from = Math.max(0, -shift);
        int to = Math.min(ref.length, sig.length - shift);
        double sum = 0;
        for (int n = from; n < to; n++) {
            sum += ref[n] * (double) sig[n + shift];
        }
        return sum;
    }

    private static double energy(float[] ref, float[] sig, int shift, boolean ofReference) {
        int from = Math.max(0, -shift);
        int to = Math.min(ref.length, sig.length - shift);
        double sum = 0;
        for (int n = from; n < to; n++) {
            double v = ofReference ? ref[n] : sig[n + shift];
            sum += v * v;
        }
        return sum;
    }

    /** |x| averaged over blocks of {@code decim} samples. */
    private static float[] envelope(float[] x, int decim) {
        float[] e = new float[x.length / decim];
        for (int i = 0; i < e.length; i++) {
            double s = 0;
            for (int j = 0; j < decim; j++) {
                s += Math.abs(x[i * decim + j]);
            }
            e[i] = (float) (s / decim);
        }
        // remove the mean so steady background does not pull the correlation
        double mean = 0;
        for (float v : e) {
            mean += v;
        }
        mean /= Math.max(1, e.length);
        for (int i = 0; i < e.length; i++) {
            e[i] -= (float) mean;
        }
        return e;
    }
}
