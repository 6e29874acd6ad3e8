package org.duet.jitsi.e2e;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.duet.jitsi.e2e.Participant.Track;
import org.duet.mixer.e2e.AudioAnalysis;

/**
 * How well the listener's playout lines two singers up by capture time, burst by burst.
 *
 * <p>Each singer's microphone carries short bursts in its own band. A burst's delay is the time
 * from its onset in the singer's own microphone recording to its onset in what the listener's page
 * plays, on the pages' shared wall clock. The alignment error at a moment is singer A's delay minus
 * singer B's delay at that same moment (B's delay interpolated between the B bursts around it), so
 * that a listener delay that drifts for both voices together (a jitter buffer settling) is not
 * mistaken for the voices drifting apart; the drift is reported separately as each singer's
 * delay spread.
 */
final class BurstAlignment {

    /** Onsets closer than this to the previous one belong to the same burst. */
    private static final double MIN_BURST_GAP_MS = 250;
    /** A burst may show up this much before its microphone onset (the two recordings' clock error). */
    private static final double EARLIEST_MS = 20;
    /** Band-pass Q: neighbouring burst frequencies (600 Hz apart) stay at least 16 dB down. */
    private static final double BAND_Q = 16;

    record Delays(double[] atMs, double[] delayMs, int micBursts) {
        double median() {
            return percentile(delayMs, 50);
        }

        double spread() {
            return delayMs.length == 0 ? Double.NaN : percentile(delayMs, 90) - percentile(delayMs, 10);
        }
    }

    record Result(Delays a, Delays b, double[] errorsMs) {
        double errorP50() {
            return percentile(abs(errorsMs), 50);
        }

        double errorP95() {
            return percentile(abs(errorsMs), 95);
        }
    }

    private BurstAlignment() {
    }

    static Result measure(Track micA, Track micB, Track listener, double[] burstsA, double[] burstsB) {
        return measure(micA, micB, listener, listener, burstsA, burstsB);
    }

    /** The same with A and B heard in two recordings of one page (its own tracks of each singer). */
    static Result measure(Track micA, Track micB, Track listenerA, Track listenerB, double[] burstsA, double[] burstsB) {
        Delays a = delays(micA, listenerA, burstsA);
        Delays b = delays(micB, listenerB, burstsB);
        List<Double> errors = new ArrayList<>();
        for (int i = 0; i < a.atMs.length; i++) {
            double bDelay = interpolate(b, a.atMs[i]);
            if (!Double.isNaN(bDelay)) {
                errors.add(a.delayMs[i] - bDelay);
            }
        }
        return new Result(a, b, errors.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The alignment error from pairs of bursts only: a burst of A and the burst of B that played
     * closest to it, when the two played within {@code maxGapMs} of each other. In one stream both
     * voices share every change of the listener's playout delay (a jitter buffer stretching or
     * shrinking), so over a short gap that change is small: this error does not carry the
     * interpolation's share of the playout's wander that {@link #measure} does.
     */
    static double[] nearPairErrors(Delays a, Delays b, double maxGapMs) {
        List<Double> errors = new ArrayList<>();
        for (int i = 0; i < a.atMs.length; i++) {
            int nearest = -1;
            for (int j = 0; j < b.atMs.length; j++) {
                if (nearest < 0 || Math.abs(b.atMs[j] - a.atMs[i]) < Math.abs(b.atMs[nearest] - a.atMs[i])) {
                    nearest = j;
                }
            }
            if (nearest >= 0 && Math.abs(b.atMs[nearest] - a.atMs[i]) <= maxGapMs) {
                errors.add(a.delayMs[i] - b.delayMs[nearest]);
            }
        }
        return errors.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The delays as they would be without the listener mix's cursor steps: a step moves everything
     * after it, both voices alike, so each burst's delay gets back the steps before it ({@code steps}:
     * [epoch ms where the step is in {@code d}'s recording, step ms, positive when the cursor
     * jumped later]); a burst within {@code guardMs} of a step is left out (the step's crossfade).
     */
    static Delays withoutSteps(Delays d, List<double[]> steps, double guardMs) {
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < d.atMs.length; i++) {
            double before = 0;
            boolean near = false;
            for (double[] s : steps) {
                near |= Math.abs(s[0] - d.atMs[i]) <= guardMs;
                if (s[0] < d.atMs[i]) {
                    before += s[1];
                }
            }
            if (!near) {
                kept.add(new double[] {d.atMs[i], d.delayMs[i] + before});
            }
        }
        return new Delays(kept.stream().mapToDouble(x -> x[0]).toArray(), kept.stream().mapToDouble(x -> x[1]).toArray(),
                d.micBursts);
    }

    /**
     * Each burst of {@code mic} found again in {@code out}: when it played (epoch ms, in play order)
     * and its delay. Burst k of the loop has its own frequency, so it is matched only with the
     * latest burst k sung before it (the loop repeats every few seconds: delays up to that are
     * unambiguous).
     */
    static Delays delays(Track mic, Track out, double[] burstHz) {
        double[][] sungByBurst = onsetsByBand(mic, burstHz);
        double[][] playedByBurst = onsetsByBand(out, burstHz);
        List<double[]> found = new ArrayList<>();
        int micBursts = 0;
        for (int k = 0; k < burstHz.length; k++) {
            double[] sung = sungByBurst[k];
            micBursts += sung.length;
            for (double p : playedByBurst[k]) {
                double best = Double.NaN;
                for (double s : sung) {
                    if (s <= p + EARLIEST_MS && (Double.isNaN(best) || s > best)) {
                        best = s;
                    }
                }
                if (!Double.isNaN(best) && p - best < SingerSignals.LOOP_SECONDS * 1000.0 - MIN_BURST_GAP_MS) {
                    found.add(new double[] {p, p - best});
                }
            }
        }
        found.sort((x, y) -> Double.compare(x[0], y[0]));
        double[] at = found.stream().mapToDouble(x -> x[0]).toArray();
        double[] delay = found.stream().mapToDouble(x -> x[1]).toArray();
        return new Delays(at, delay, micBursts);
    }

    /**
     * Onsets per burst frequency. A burst is 20 ms long, so its spectrum is about 200 Hz wide and
     * the neighbouring bands see it too, weaker: an onset counts only in the band where the burst is
     * strongest (at least 6 dB above each other band in the 10 ms after the onset).
     */
    private static double[][] onsetsByBand(Track t, double[] burstHz) {
        int rate = t.sampleRate();
        float[][] band = new float[burstHz.length][];
        double[][] onsets = new double[burstHz.length][];
        for (int k = 0; k < burstHz.length; k++) {
            band[k] = AudioAnalysis.bandPass(t.samples(), burstHz[k], BAND_Q, rate);
            onsets[k] = onsetsMs(band[k], rate, 0); // ms from the first sample, epoch ms below
        }
        int span = rate / 100;
        for (int k = 0; k < burstHz.length; k++) {
            List<Double> kept = new ArrayList<>();
            for (double at : onsets[k]) {
                int from = (int) Math.round(at * rate / 1000.0);
                double mine = peak(band[k], from, from + span);
                boolean strongest = true;
                for (int j = 0; j < burstHz.length && strongest; j++) {
                    strongest = j == k || peak(band[j], from, from + span) * 2 <= mine;
                }
                if (strongest) {
                    kept.add(t.epochMsAt(at * rate / 1000.0));
                }
            }
            if (Boolean.getBoolean("duet.debug.bursts")) {
                System.out.println("band " + burstHz[k] + ": " + onsets[k].length + " onsets, " + kept.size() + " strongest");
            }
            onsets[k] = kept.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return onsets;
    }

    private static double peak(float[] x, int from, int to) {
        double p = 0;
        for (int i = Math.max(0, from); i < Math.min(x.length, to); i++) {
            p = Math.max(p, Math.abs(x[i]));
        }
        return p;
    }

    /**
     * Burst onsets (epoch ms) in a band-passed recording: where |x| first crosses a third of the
     * band's burst level (its 99.99th percentile: the bursts fill about 0.1 % of the time, their
     * neighbours' leakage through the band stays 16 dB under), the crossing interpolated between samples.
     */
    static double[] onsetsMs(float[] x, int rate, double startEpochMs) {
        if (x.length == 0) {
            return new double[0];
        }
        double level = topQuantile(x, 0.9999);
        if (level <= 1e-3) {
            return new double[0];
        }
        double threshold = level / 3;
        List<Double> onsets = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < x.length; i++) {
            double prev = Math.abs(x[i - 1]);
            double cur = Math.abs(x[i]);
            if (prev < threshold && cur >= threshold) {
                double t = (i - 1 + (threshold - prev) / (cur - prev)) * 1000.0 / rate;
                if (t - last >= MIN_BURST_GAP_MS) {
                    onsets.add(startEpochMs + t);
                }
                last = t;
            }
        }
        return onsets.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The {@code q} quantile of |x| for q near 1, by keeping only the largest values (a full sort of
     * every band of every recording took minutes of the test's time on a loaded machine).
     */
    static double topQuantile(float[] x, double q) {
        int index = (int) Math.min(x.length - 1, x.length * q); // as in a sorted copy
        int keep = x.length - index; // the value at index is the keep-th largest
        java.util.PriorityQueue<Float> largest = new java.util.PriorityQueue<>(keep + 1);
        for (float v : x) {
            float a = Math.abs(v);
            if (largest.size() < keep) {
                largest.add(a);
            } else if (a > largest.peek()) {
                largest.poll();
                largest.add(a);
            }
        }
        return largest.peek();
    }

    /** {@code d}'s delay at {@code atMs}, linear between the bursts around it (NaN outside them). */
    private static double interpolate(Delays d, double atMs) {
        for (int i = 1; i < d.atMs.length; i++) {
            if (d.atMs[i - 1] <= atMs && atMs <= d.atMs[i]) {
                double f = (atMs - d.atMs[i - 1]) / (d.atMs[i] - d.atMs[i - 1]);
                return d.delayMs[i - 1] + f * (d.delayMs[i] - d.delayMs[i - 1]);
            }
        }
        return Double.NaN;
    }

    private static double[] abs(double[] x) {
        return Arrays.stream(x).map(Math::abs).toArray();
    }

    static double percentile(double[] x, double p) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double[] s = x.clone();
        Arrays.sort(s);
        int i = (int) Math.min(s.length - 1, Math.max(0, Math.round(p / 100.0 * (s.length - 1))));
        return s[i];
    }
}
