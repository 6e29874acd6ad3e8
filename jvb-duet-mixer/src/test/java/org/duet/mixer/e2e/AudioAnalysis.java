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

    /**
     * Amplitude of what lies within a few hertz of {@code hz} in {@code x[from, to)}: a narrow
     * band-pass (Q 40, twice: 11 Hz wide, 660 Hz is 60 dB down at 440 Hz), then RMS x sqrt 2. Unlike
     * a single Goertzel bin it tolerates the small pitch wobble of a browser's audio clock.
     */
    public static double bandAmplitude(float[] x, int from, int to, double hz, int sampleRate) {
        float[] y = bandPass(x, hz, 40, sampleRate);
        return rms(y, from, to) * Math.sqrt(2);
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

    /** What {@link #clickDelays} found. */
    public record ClickDelays(double medianLag, double p10Lag, double p90Lag, int matched, int bursts,
                              double envelopeCorrelation) {
    }

    /**
     * How far behind {@code reference} its bursts appear in {@code signal}: the whole burst train
     * is matched first (correlation of 10 ms envelopes, so a delay that drifts by tens of ms during
     * the recording still matches), then each burst is found within 200 ms of that and timed on
     * the samples, and the per-burst lags are summarised. {@code base} is where ref[0] falls in the signal's
     * frame; lags are searched in [minLag, maxLag] samples.
     */
    public static ClickDelays clickDelays(float[] reference, float[] signal, int base, int minLag, int maxLag) {
        int decim = 48;
        float[] envRef = smooth(envelope(reference, decim), 10);
        float[] envSig = smooth(envelope(signal, decim), 10);
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
        int shift = coarseBase + bestCoarse;
        double envNorm = Math.sqrt(energy(envRef, envSig, shift, true) * energy(envRef, envSig, shift, false));
        double envelopeCorrelation = envNorm > 0 ? bestValue / envNorm : 0;

        int[] bursts = burstStarts(reference);
        double[] lags = new double[bursts.length];
        int matched = 0;
        int half = 480; // 10 ms either side of a burst onset
        // Each burst is looked for within 200 ms of the train's lag (bursts are at least 420 ms
        // apart, so this cannot pick a neighbour), first on 1 ms envelopes, then on samples.
        float[] rawRef = envelopeRaw(reference, decim);
        float[] rawSig = envelopeRaw(signal, decim);
        int window = 200;
        for (int at : bursts) {
            if (at - half < 0 || at + half > reference.length) {
                continue;
            }
            int atMs = at / decim;
            int coarse = Integer.MIN_VALUE;
            double bestEnv = Double.NEGATIVE_INFINITY;
            for (int d = bestCoarse - window; d <= bestCoarse + window; d++) {
                double c = 0;
                for (int i = -10; i < 10; i++) {
                    int r = atMs + i;
                    int q = r + coarseBase + d;
                    if (r >= 0 && r < rawRef.length && q >= 0 && q < rawSig.length) {
                        c += rawRef[r] * (double) rawSig[q];
                    }
                }
                if (c > bestEnv) {
                    bestEnv = c;
                    coarse = d;
                }
            }
            double best = Double.NEGATIVE_INFINITY;
            int bestLag = 0;
            for (int d = coarse * decim - 2 * decim; d <= coarse * decim + 2 * decim; d++) {
                int s0 = at - half + base + d;
                if (s0 < 0 || s0 + 2 * half > signal.length) {
                    continue;
                }
                double c = 0;
                for (int i = 0; i < 2 * half; i++) {
                    c += reference[at - half + i] * (double) signal[s0 + i];
                }
                if (c > best) {
                    best = c;
                    bestLag = d;
                }
            }
            int s0 = at - half + base + bestLag;
            if (s0 < 0 || s0 + 2 * half > signal.length) {
                continue;
            }
            double er = 0;
            double es = 0;
            for (int i = 0; i < 2 * half; i++) {
                er += reference[at - half + i] * (double) reference[at - half + i];
                es += signal[s0 + i] * (double) signal[s0 + i];
            }
            if (er > 0 && es > 0 && best / Math.sqrt(er * es) > 0.5) {
                lags[matched++] = bestLag;
            }
        }
        double[] found = java.util.Arrays.copyOf(lags, matched);
        java.util.Arrays.sort(found);
        return new ClickDelays(percentile(found, 50), percentile(found, 10), percentile(found, 90), matched,
                bursts.length, envelopeCorrelation);
    }

    /** Onsets of the bursts in a (band-passed) reference: 1 ms envelope above half its maximum, 200 ms apart. */
    static int[] burstStarts(float[] x) {
        float[] env = envelopeRaw(x, 48);
        float max = 0;
        for (float v : env) {
            max = Math.max(max, v);
        }
        int[] out = new int[env.length];
        int n = 0;
        int last = -1_000_000;
        for (int i = 0; i < env.length; i++) {
            if (env[i] > max / 2 && i - last > 200) {
                out[n++] = i * 48;
                last = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.round((sorted.length - 1) * p / 100.0);
        return sorted[i];
    }

    private static float[] smooth(float[] x, int width) {
        float[] y = new float[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i];
            if (i >= width) {
                sum -= x[i - width];
            }
            y[i] = (float) (sum / width);
        }
        return y;
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

    /** |x| averaged over blocks of {@code decim} samples, mean removed (steady background must not pull a correlation). */
    private static float[] envelope(float[] x, int decim) {
        float[] e = envelopeRaw(x, decim);
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

    /** |x| averaged over blocks of {@code decim} samples. */
    private static float[] envelopeRaw(float[] x, int decim) {
        float[] e = new float[x.length / decim];
        for (int i = 0; i < e.length; i++) {
            double s = 0;
            for (int j = 0; j < decim; j++) {
                s += Math.abs(x[i * decim + j]);
            }
            e[i] = (float) (s / decim);
        }
        return e;
    }
}
