package org.duet.bench.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds a known template in recorded audio by normalized cross-correlation: the score at lag k is
 * sum(x[k+i]*t[i]) / (|t| * |x[k..k+n)|), 1.0 for a perfect (scaled) copy. Sample-exact: the lag
 * reported is the index where the best-matching copy of the template starts. Long signals are
 * correlated through an FFT (overlap-save), so a minute of audio takes well under a second.
 */
public final class CrossCorrelator {

    /** A template occurrence: where it starts in the signal and how well it matched (0..1). */
    public record Match(int position, double score) {
    }

    private CrossCorrelator() {
    }

    /** Normalized correlation of the template starting at {@code position}. */
    public static double scoreAt(float[] signal, float[] template, int position) {
        int n = template.length;
        if (position < 0 || position + n > signal.length) {
            return 0;
        }
        double dot = 0, energyX = 0, energyT = 0;
        for (int i = 0; i < n; i++) {
            double x = signal[position + i];
            dot += x * template[i];
            energyX += x * x;
            energyT += template[i] * template[i];
        }
        double denominator = Math.sqrt(energyX * energyT);
        return denominator == 0 ? 0 : dot / denominator;
    }

    /** The single best match of the template in signal[from, to) (start positions). */
    public static Match best(float[] signal, float[] template, int from, int to) {
        int n = template.length;
        int lo = Math.max(0, from);
        int hi = Math.min(signal.length - n, to - 1);
        double energyT = 0;
        for (float v : template) {
            energyT += v * v;
        }
        if (hi < lo || energyT == 0) {
            return new Match(-1, 0);
        }
        // running energy of the signal window
        double energyX = 0;
        for (int i = 0; i < n; i++) {
            energyX += (double) signal[lo + i] * signal[lo + i];
        }
        int bestPos = -1;
        double bestScore = -2;
        for (int k = lo; k <= hi; k++) {
            if (k > lo) {
                double out = signal[k - 1];
                double in = signal[k + n - 1];
                energyX += in * in - out * out;
            }
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += signal[k + i] * template[i];
            }
            double denominator = Math.sqrt(Math.max(energyX, 0) * energyT);
            double score = denominator < 1e-12 ? 0 : dot / denominator;
            if (score > bestScore) {
                bestScore = score;
                bestPos = k;
            }
        }
        return new Match(bestPos, bestScore);
    }

    /**
     * All occurrences of the template scoring at least {@code threshold}, at least
     * {@code minSpacing} samples apart (the best one wins inside each spacing window).
     */
    public static List<Match> findAll(float[] signal, float[] template, double threshold, int minSpacing) {
        List<Match> out = new ArrayList<>();
        int n = template.length;
        if (signal.length < n) {
            return out;
        }
        double energyT = 0;
        for (float v : template) {
            energyT += v * v;
        }
        double[] scores = Fft.slidingDot(signal, template);
        double energyX = 0;
        for (int i = 0; i < n; i++) {
            energyX += (double) signal[i] * signal[i];
        }
        for (int k = 0; k < scores.length; k++) {
            if (k > 0) {
                double out0 = signal[k - 1];
                double in = signal[k + n - 1];
                energyX += in * in - out0 * out0;
            }
            double denominator = Math.sqrt(Math.max(energyX, 0) * energyT);
            // ignore near-silence: a tiny window can correlate well with anything
            scores[k] = denominator < 1e-6 ? 0 : scores[k] / denominator;
        }
        int k = 0;
        while (k < scores.length) {
            if (scores[k] >= threshold) {
                int end = Math.min(scores.length, k + minSpacing);
                int best = k;
                for (int j = k; j < end; j++) {
                    if (scores[j] > scores[best]) {
                        best = j;
                    }
                }
                out.add(new Match(best, scores[best]));
                k = best + minSpacing;
            } else {
                k++;
            }
        }
        return out;
    }

    public static float[] toFloat(short[] pcm, int off, int len) {
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            out[i] = pcm[off + i] / 32768f;
        }
        return out;
    }
}
