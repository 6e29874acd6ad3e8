package org.duet.mixer.sync;

/**
 * Finds a known train of clicks in recorded audio and says how late it came back, or why not.
 *
 * <p>Two steps. Coarse: the recording's envelope (mean |x| per 0.5 ms block) is summed at every
 * click's expected block for each candidate lag; the best lag is where the whole pattern lines
 * up. Every click but one must then stand out of the recording's noise floor (its envelope at
 * least 4x the median, 12 dB), and at least {@link #MIN_FOUND}, else the clicks were not found
 * (silence, noise, clicks lost). One may be missing because one lost packet on either path takes a
 * click or its clap with it: at 2 % loss each way about one train in five lost one, and refusing
 * it cost the singer a retry (5 s more at join). The pattern's gaps all differ, so five clicks,
 * even four, line up at one lag only. Fine: around each click found, its onset is where a 0.5 ms
 * moving average of |x| first reaches half of the local peak; the same rule applied to the
 * emitted click gives the reference onset, so the shape's own rise time cancels. The found
 * clicks' individual delays must agree within {@link #MAX_SPREAD_MS} (when all were found, one
 * may be off the others, left out like a lost one); the result is their median.
 *
 * <p>Runs once per calibration on the media loop: linear in the recording, no allocation beyond
 * the scratch arrays given at construction.
 */
public final class ClickTrainDetector {

    public static final double MAX_SPREAD_MS = 3.0;
    /** Fewest clicks a train is measured on (one fewer than given may be found, never fewer than this). */
    public static final int MIN_FOUND = 4;
    private static final int BLOCK = 24;
    private static final double MIN_CLICK_TO_FLOOR = 4.0;
    private static final int SMOOTH = 24;
    private static final int FINE_SEARCH = 48 * 5;

    /** The outcome: {@code ok} with the delay, or a message saying why not. */
    public record Result(boolean ok, double delaySamples, double spreadMs, int clicksFound, String message) {
        public double delayMs() {
            return delaySamples / 48.0;
        }
    }

    private final float[] envelope;
    private final float[] sorted;
    /** Each found click's delay (allocated once: the detector runs on the media loop). */
    private final double[] delays = new double[64];
    private final double referenceOnset;

    /** @param maxSamples the longest recording this detector will be given */
    public ClickTrainDetector(int maxSamples) {
        this.envelope = new float[maxSamples / BLOCK + 1];
        this.sorted = new float[envelope.length];
        float[] click = new float[ClickPattern.CLICK_SAMPLES + 2 * FINE_SEARCH];
        for (int i = 0; i < ClickPattern.CLICK_SAMPLES; i++) {
            click[FINE_SEARCH + i] = ClickPattern.click(i);
        }
        this.referenceOnset = onset(click, click.length, FINE_SEARCH) - FINE_SEARCH;
    }

    /**
     * @param audio   the recording; sample 0 is where the pattern would be with no delay
     * @param length  samples of {@code audio} to use
     * @param offsets the clicks' onsets in the pattern
     * @param minLag  smallest delay to consider, samples
     * @param maxLag  largest delay to consider, samples
     */
    public Result detect(float[] audio, int length, int[] offsets, int minLag, int maxLag) {
        int blocks = Math.min(envelope.length, length / BLOCK);
        float peak = envelope(audio, blocks);
        if (peak < 1e-4f) {
            return new Result(false, Double.NaN, Double.NaN, 0,
                    "nothing came back: the singer's audio was silent during the clicks");
        }
        float floor = floor(blocks);

        int bestLag = -1;
        double bestScore = -1;
        // The offsets need not be in order, nor positive: a calibration restates each click for the
        // read delay it actually left at, and a starved media loop's read delay can swing by more
        // than the gap between two clicks. No lag may read before the first block or past the last
        // (both threw on every tick, seen at load 27).
        int firstClick = Integer.MAX_VALUE;
        int lastClick = Integer.MIN_VALUE;
        for (int offset : offsets) {
            firstClick = Math.min(firstClick, offset);
            lastClick = Math.max(lastClick, offset);
        }
        int firstLag = Math.max(Math.floorDiv(minLag, BLOCK), -Math.floorDiv(firstClick, BLOCK));
        for (int lag = firstLag; lag <= Math.floorDiv(maxLag, BLOCK); lag++) {
            if (Math.floorDiv(lastClick, BLOCK) + lag + 1 >= blocks) {
                break;
            }
            double score = 0;
            for (int offset : offsets) {
                int b = Math.floorDiv(offset, BLOCK) + lag;
                score += Math.max(envelope[b], envelope[b + 1]);
            }
            if (score > bestScore) {
                bestScore = score;
                bestLag = lag;
            }
        }
        if (bestLag < 0) {
            return new Result(false, Double.NaN, Double.NaN, 0, "the recording is too short for the click pattern");
        }
        int found = 0;
        int missing = -1;
        for (int i = 0; i < offsets.length; i++) {
            // Within 5 ms of where the pattern says: a click that is there but off (a clap early or
            // late) counts as found, and the spread rule below judges it.
            int b = Math.floorDiv(offsets[i], BLOCK) + bestLag;
            float near = 0;
            for (int k = Math.max(0, b - FINE_SEARCH / BLOCK); k <= Math.min(blocks - 1, b + FINE_SEARCH / BLOCK); k++) {
                near = Math.max(near, envelope[k]);
            }
            if (near >= MIN_CLICK_TO_FLOOR * floor) {
                found++;
            } else {
                missing = i;
            }
        }
        int needed = Math.max(Math.min(MIN_FOUND, offsets.length), offsets.length - 1);
        if (found < needed) {
            return new Result(false, Double.NaN, Double.NaN, found, "clicks not found: only " + found + " of "
                    + offsets.length + " stood out of the background (need " + needed + ", 12 dB above it); turn the"
                    + " speakers up or, with headphones, clap on each click");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (int i = 0; i < offsets.length; i++) {
            if (found < offsets.length && i == missing) {
                continue; // lost on the way: its place holds only the background
            }
            int around = offsets[i] + bestLag * BLOCK;
            double at = onset(audio, length, around) - referenceOnset;
            delays[n] = at - offsets[i];
            min = Math.min(min, delays[n]);
            max = Math.max(max, delays[n]);
            n++;
        }
        double spreadMs = (max - min) / 48.0;
        java.util.Arrays.sort(delays, 0, n);
        int from = 0;
        String off = null;
        if (spreadMs > MAX_SPREAD_MS && n == offsets.length && n - 1 >= needed) {
            // One click off the others (a receiver's jitter buffer moving its playout once, early in
            // the train) is left out like a lost one, when the rest agree: they give the loop the singer
            // has from then on. Two trains, or claps scattered about the clicks, still disagree.
            double withoutLowest = (delays[n - 1] - delays[1]) / 48.0;
            double withoutHighest = (delays[n - 2] - delays[0]) / 48.0;
            if (Math.min(withoutLowest, withoutHighest) <= MAX_SPREAD_MS) {
                boolean dropLowest = withoutLowest <= withoutHighest;
                off = String.format(java.util.Locale.ROOT, "one came back %.1f ms off the others",
                        dropLowest ? (delays[1] - delays[0]) / 48.0 : (delays[n - 1] - delays[n - 2]) / 48.0);
                from = dropLowest ? 1 : 0;
                n--;
                spreadMs = Math.min(withoutLowest, withoutHighest);
                found--;
            }
        }
        double median = n % 2 == 1 ? delays[from + n / 2] : (delays[from + n / 2 - 1] + delays[from + n / 2]) / 2;
        if (spreadMs > MAX_SPREAD_MS) {
            return new Result(false, median, spreadMs, found, String.format(java.util.Locale.ROOT,
                    "the clicks came back %.1f ms apart from each other (at most %.0f ms allowed): clap exactly on"
                            + " the clicks, or use speakers", spreadMs, MAX_SPREAD_MS));
        }
        return new Result(true, median, spreadMs, found, found < offsets.length
                ? "ok on " + found + " of " + offsets.length + " clicks (" + (off != null ? off : "one was lost on the way")
                + ")" : "ok");
    }

    /**
     * Whether anything like two of the clicks came back: some lag up to {@code maxLag} at which the
     * recording stands out of its noise floor (12 dB) at the first's place and again within
     * {@code toleranceSamples} of the second's. Silence, a steady tone or noise, and bursts at other
     * spacings (a fake microphone's beeps) have no such pair. Tolerant of the second coming back
     * early or late (a receiver's jitter buffer stretching its playout), so it only says "nothing
     * came back", never "these clicks disagree".
     */
    public boolean pairStandsOut(float[] audio, int length, int offset0, int offset1, int maxLag,
                                 int toleranceSamples) {
        int blocks = Math.min(envelope.length, length / BLOCK);
        if (envelope(audio, blocks) < 1e-4f) {
            return false;
        }
        double threshold = MIN_CLICK_TO_FLOOR * floor(blocks);
        int tolerance = toleranceSamples / BLOCK + 1;
        int first0 = Math.floorDiv(offset0, BLOCK);
        int first1 = Math.floorDiv(offset1, BLOCK);
        for (int lag = Math.max(0, -first0); lag <= maxLag / BLOCK && first0 + lag < blocks; lag++) {
            if (envelope[first0 + lag] < threshold) {
                continue;
            }
            for (int b = Math.max(0, first1 + lag - tolerance); b <= Math.min(blocks - 1, first1 + lag + tolerance); b++) {
                if (envelope[b] >= threshold) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Fills the envelope (mean |x| per block) for {@code blocks} blocks; returns its peak. */
    private float envelope(float[] audio, int blocks) {
        float peak = 0;
        for (int b = 0; b < blocks; b++) {
            float sum = 0;
            for (int i = b * BLOCK; i < (b + 1) * BLOCK; i++) {
                sum += Math.abs(audio[i]);
            }
            envelope[b] = sum / BLOCK;
            peak = Math.max(peak, envelope[b]);
        }
        return peak;
    }

    /** The recording's noise floor: the median block of the envelope. */
    private float floor(int blocks) {
        System.arraycopy(envelope, 0, sorted, 0, blocks);
        java.util.Arrays.sort(sorted, 0, blocks);
        return Math.max(sorted[blocks / 2], 1e-6f);
    }

    /** Onset near {@code around}: first point where the 0.5 ms moving average of |x| reaches half the local peak. */
    private static double onset(float[] x, int length, int around) {
        int from = Math.max(SMOOTH, around - FINE_SEARCH);
        int to = Math.min(length, around + FINE_SEARCH);
        double peak = 0;
        double sum = 0;
        for (int i = from - SMOOTH; i < from; i++) {
            sum += Math.abs(x[i]);
        }
        for (int i = from; i < to; i++) {
            sum += Math.abs(x[i]) - Math.abs(x[i - SMOOTH]);
            peak = Math.max(peak, sum);
        }
        sum = 0;
        for (int i = from - SMOOTH; i < from; i++) {
            sum += Math.abs(x[i]);
        }
        double previous = sum;
        for (int i = from; i < to; i++) {
            sum += Math.abs(x[i]) - Math.abs(x[i - SMOOTH]);
            if (sum >= peak / 2) {
                // Linear interpolation between the two samples around the crossing: sub-sample.
                double frac = sum == previous ? 0 : (peak / 2 - previous) / (sum - previous);
                return i - 1 + Math.max(0, Math.min(1, frac));
            }
            previous = sum;
        }
        return around;
    }
}
