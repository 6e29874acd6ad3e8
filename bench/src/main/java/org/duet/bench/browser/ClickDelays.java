package org.duet.bench.browser;

import java.util.ArrayList;
import java.util.List;

/**
 * Times each click of one recording (a microphone) in another (an ear): both band-passed at the
 * click's frequency, each click's onset found in the microphone, then the lag in
 * {@code [minLagMs, maxLagMs]} where the envelopes of the clicks within a second of it line up,
 * refined on samples over a 20 ms window; a click counts as heard when it has the same shape there
 * (correlation above 0.5) at a comparable level (within 12 dB): a concealed or lost click does not.
 */
final class ClickDelays {

    static final int RATE = ClickSignal.RATE;
    private static final int MS = RATE / 1000;

    /** One heard click: when it left the microphone (s into the microphone recording) and its delay (ms). */
    record Click(double atS, double delayMs) {
    }

    private ClickDelays() {
    }

    /**
     * @param mic         the sender's microphone recording
     * @param ear         the receiver's recording of one path
     * @param baseSamples (mic start - ear start) on the shared wall clock, in samples
     */
    static List<Click> find(float[] mic, float[] ear, int baseSamples, double clickHz, double minLagMs, double maxLagMs) {
        float[] ref = bandPass(mic, clickHz);
        float[] sig = bandPass(ear, clickHz);
        List<Click> clicks = new ArrayList<>();
        float[] envRef = envelope(ref);
        float[] envSig = envelope(sig);
        int half = RATE / 100; // 10 ms either side of the onset
        for (int on : onsets(ref)) {
            int from = on - half / 2;
            if (from < 0 || from + 2 * half > ref.length) {
                continue;
            }
            double er = 0;
            for (int i = 0; i < 2 * half; i++) {
                er += ref[from + i] * (double) ref[from + i];
            }
            // Coarse: the lag at which the 1 ms envelopes of the clicks around this one (+-1 s, four
            // or five at irregular spacing, so only the true lag lines them all up) agree best.
            int coarse = coarseLag(envRef, envSig, on / MS, Math.floorDiv(baseSamples, MS), minLagMs, maxLagMs);
            // Fine: the sample lag within 3 ms of it with the most click energy in common.
            double bestDot = 0;
            int bestLag = Integer.MIN_VALUE;
            for (int d = (coarse - 3) * MS; d <= (coarse + 3) * MS; d++) {
                double c = dot(ref, sig, from, from + baseSamples + d, 2 * half);
                if (c > bestDot) {
                    bestDot = c;
                    bestLag = d;
                }
            }
            if (bestLag == Integer.MIN_VALUE) {
                continue;
            }
            double best = ncc(ref, sig, from, from + baseSamples + bestLag, 2 * half, er);
            double es = energy(sig, from + baseSamples + bestLag, 2 * half);
            // Heard: the same shape (correlation > 0.5) at a comparable level (within 12 dB).
            best = es > er / 16 ? best : 0;
            if (best > 0.5) {
                clicks.add(new Click(on / (double) RATE, bestLag * 1000.0 / RATE));
            }
        }
        return clicks;
    }

    private static int coarseLag(float[] envRef, float[] envSig, int atMs, int baseMs, double minLagMs, double maxLagMs) {
        double best = Double.NEGATIVE_INFINITY;
        int bestLag = (int) minLagMs;
        for (int l = (int) minLagMs; l <= (int) maxLagMs; l++) {
            double c = 0;
            for (int i = Math.max(0, atMs - 1000); i < Math.min(envRef.length, atMs + 1000); i++) {
                int j = i + baseMs + l;
                if (j >= 0 && j < envSig.length) {
                    c += envRef[i] * (double) envSig[j];
                }
            }
            if (c > best) {
                best = c;
                bestLag = l;
            }
        }
        return bestLag;
    }

    /** Largest magnitude per millisecond. */
    private static float[] envelope(float[] x) {
        float[] env = new float[x.length / MS];
        for (int k = 0; k < env.length; k++) {
            float e = 0;
            for (int i = 0; i < MS; i++) {
                e = Math.max(e, Math.abs(x[k * MS + i]));
            }
            env[k] = e;
        }
        return env;
    }

    private static double dot(float[] ref, float[] sig, int r0, int s0, int n) {
        if (s0 < 0 || s0 + n > sig.length) {
            return 0;
        }
        double c = 0;
        for (int i = 0; i < n; i++) {
            c += ref[r0 + i] * (double) sig[s0 + i];
        }
        return c;
    }

    private static double energy(float[] x, int from, int n) {
        double e = 0;
        for (int i = Math.max(0, from); i < Math.min(x.length, from + n); i++) {
            e += x[i] * (double) x[i];
        }
        return e;
    }

    private static double ncc(float[] ref, float[] sig, int r0, int s0, int n, double er) {
        if (s0 < 0 || s0 + n > sig.length) {
            return 0;
        }
        double c = 0;
        double es = 0;
        for (int i = 0; i < n; i++) {
            float s = sig[s0 + i];
            c += ref[r0 + i] * (double) s;
            es += s * (double) s;
        }
        return er > 0 && es > 0 ? c / Math.sqrt(er * es) : 0;
    }

    /** Click onsets: where the band's 1 ms envelope first rises above half its maximum, at least 300 ms apart. */
    static List<Integer> onsets(float[] band) {
        int step = RATE / 1000;
        int n = band.length / step;
        double[] env = new double[n];
        double max = 0;
        for (int k = 0; k < n; k++) {
            double e = 0;
            for (int i = 0; i < step; i++) {
                e = Math.max(e, Math.abs(band[k * step + i]));
            }
            env[k] = e;
            max = Math.max(max, e);
        }
        List<Integer> out = new ArrayList<>();
        int last = Integer.MIN_VALUE / 2;
        for (int k = 1; k < n; k++) {
            if (env[k] > 0.5 * max && env[k - 1] <= 0.5 * max && k - last > 300) {
                out.add(k * step);
                last = k;
            }
        }
        return out;
    }

    /** Two cascaded biquad band-passes (RBJ, Q 8): keeps one singer's clicks, drops the tones. */
    static float[] bandPass(float[] x, double hz) {
        return biquad(biquad(x, hz), hz);
    }

    private static float[] biquad(float[] x, double hz) {
        double q = 8;
        double w = 2 * Math.PI * hz / RATE;
        double alpha = Math.sin(w) / (2 * q);
        double a0 = 1 + alpha;
        double b0 = alpha / a0;
        double b2 = -alpha / a0;
        double a1 = -2 * Math.cos(w) / a0;
        double a2 = (1 - alpha) / a0;
        float[] y = new float[x.length];
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < x.length; i++) {
            double v = b0 * x[i] + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x[i];
            y2 = y1;
            y1 = v;
            y[i] = (float) v;
        }
        return y;
    }
}
