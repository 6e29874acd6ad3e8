package org.duet.mixer.sim;

/**
 * Finds one known short tone burst (a Hann-windowed sine that starts at phase 0: a metronome
 * click, a calibration click, a simulated clap) in decoded audio, to a fraction of a sample.
 *
 * <p>Matched filter: the audio is correlated with the burst and with its quadrature (cosine)
 * twin; their magnitude is a smooth envelope that peaks where the burst is, whatever else
 * sounds at other pitches. The real correlation's peak nearest the envelope peak, refined by a
 * parabola, is the onset. The amplitude is the least-squares gain of the template there, so a
 * click of amplitude 0.5 reads 0.5 and other sounds far from its pitch read near 0.
 */
public final class BurstFinder {

    /** A burst found: onset in (fractional) samples of the searched array, and its amplitude. */
    public record Found(double onset, double amplitude) {
    }

    private final float[] sin;
    private final float[] cos;
    private final double energy;
    private final int halfPeriod;

    /**
     * @param hz          the burst's pitch
     * @param samples     its length (Hann window over this many samples)
     * @param windowOverN true: window {@code 0.5 - 0.5 cos(2 pi i / (N - 1))}; false: over N
     */
    public BurstFinder(double hz, int samples, boolean windowOverN) {
        sin = new float[samples];
        cos = new float[samples];
        double e = 0;
        int d = windowOverN ? samples - 1 : samples;
        for (int i = 0; i < samples; i++) {
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / d);
            sin[i] = (float) (w * Math.sin(2 * Math.PI * hz * i / 48_000.0));
            cos[i] = (float) (w * Math.cos(2 * Math.PI * hz * i / 48_000.0));
            e += sin[i] * (double) sin[i];
        }
        energy = e;
        halfPeriod = Math.max(1, (int) Math.round(48_000 / hz / 2));
    }

    public int length() {
        return sin.length;
    }

    /** Least-squares gain of the burst at onset {@code lag} (0 outside the array). */
    public double amplitude(float[] x, int lag) {
        return dot(x, lag, sin) / energy;
    }

    private double envelope(float[] x, int lag) {
        double s = dot(x, lag, sin);
        double c = dot(x, lag, cos);
        return Math.sqrt(s * s + c * c) / energy;
    }

    private static double dot(float[] x, int lag, float[] t) {
        if (lag < 0 || lag + t.length > x.length) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < t.length; i++) {
            sum += x[lag + i] * t[i];
        }
        return sum;
    }

    /**
     * The burst with the largest envelope whose onset lies in {@code [from, to]} of {@code x}, or
     * null when none reaches {@code minAmplitude}.
     */
    public Found find(float[] x, int from, int to, double minAmplitude) {
        from = Math.max(0, from);
        to = Math.min(x.length - sin.length, to);
        int best = -1;
        double bestEnv = 0;
        for (int lag = from; lag <= to; lag++) {
            double e = envelope(x, lag);
            if (e > bestEnv) {
                bestEnv = e;
                best = lag;
            }
        }
        if (best < 0 || bestEnv < minAmplitude) {
            return null;
        }
        // The real correlation's peak within half a period of the envelope's is the onset.
        int peak = best;
        double peakValue = Double.NEGATIVE_INFINITY;
        for (int lag = best - halfPeriod; lag <= best + halfPeriod; lag++) {
            double v = dot(x, lag, sin);
            if (v > peakValue) {
                peakValue = v;
                peak = lag;
            }
        }
        double a = dot(x, peak - 1, sin);
        double c = dot(x, peak + 1, sin);
        double curve = a - 2 * peakValue + c;
        double delta = curve < 0 ? 0.5 * (a - c) / curve : 0;
        delta = Math.max(-0.5, Math.min(0.5, delta));
        return new Found(peak + delta, peakValue / energy);
    }
}
