package org.duet.mixer.clock;

/**
 * The offset between one sender's clock and ours, NTP style, with an error bound and drift.
 *
 * <p>Every exchange of timestamps gives bounds on the offset {@code theta = server time - sender
 * time} at the moment it was taken:
 * <pre>
 *   sender -> server: sent at s (sender clock), received at r (server clock)
 *                     r - s = theta + one-way delay  >= theta          (an upper bound)
 *   server -> sender: sent at r (server clock), received at s (sender clock)
 *                     r - s = theta - one-way delay  <= theta          (a lower bound)
 * </pre>
 * A four-timestamp exchange (RTCP SR + report block, or the page's clock ping) gives one of each.
 * The offset drifts ({@code theta(t) = a + skew * t}), so the bounds form two clouds in time: the
 * upper bounds above the line {@code theta(t)}, the lower bounds below it. For a candidate skew the
 * gap between the clouds is {@code min(upper - skew t) - max(lower - skew t)}; a wrong skew tilts
 * the gap into the clouds' edges and narrows it, so the estimator takes the skew with the widest
 * gap (the gap is concave in the skew: a ternary search finds it). The estimate is the middle of
 * the gap, the error bound half its width: half the smallest round trip, since the one thing
 * timestamps cannot tell is how a round trip splits between the two directions.
 *
 * <p>Only the extreme samples set the band, so queueing and jitter (which only ever add delay)
 * do not bias it: this is the minimum-delay filter, per direction. The tightest bound of each
 * second is kept, for the last {@link #CAPACITY} seconds. Allocation-free; owned by one thread.
 */
public final class ClockOffsetEstimator {

    /** Bounds kept per direction: the tightest of each {@link #BUCKET_S} (about two minutes). */
    public static final int CAPACITY = 128;
    /**
     * Bounds closer together than this keep only the tightest, so a sender of many bounds (every
     * RTP packet bounds the offset from above) does not push the history out of the window.
     */
    public static final double BUCKET_S = 1.0;
    /** Largest drift believed: 500 ppm (crystals are within 100). */
    private static final double MAX_SKEW_MS_PER_S = 0.5;
    /** Drift is only fitted once bounds span this long; before, it is taken as zero. */
    private static final double MIN_SPAN_FOR_SKEW_S = 8;
    /** A second with this many upper bounds is media-dense (media: about 50; pings and SRs: up to 4). */
    private static final int DENSE_BUCKET = 8;
    /** Spacings averaged to tell how far a side's extreme lies beyond its edge. */
    private static final int EDGE_SPACINGS = 4;

    private final double[] tightest = new double[EDGE_SPACINGS + 1];

    private final double[] upperT = new double[CAPACITY];
    private final double[] upperV = new double[CAPACITY];
    /** How many raw bounds each upper bucket saw. */
    private final int[] upperN = new int[CAPACITY];
    private final double[] lowerT = new double[CAPACITY];
    private final double[] lowerV = new double[CAPACITY];
    private int upperCount;
    private int upperNext;
    private int lowerCount;
    private int lowerNext;
    private long upperRaw;
    private long lowerRaw;
    private double upperBucketStart;
    private double lowerBucketStart;
    private boolean haveReference;
    private long refT;
    private long refV;

    // The current fit, in ms relative to (refT, refV).
    private boolean valid;
    private double skew;
    private double center;
    private double halfWidth;

    /** An upper bound: received at server time {@code serverNanos}, {@code server - sender} was {@code nanos}. */
    public void addUpperBound(long serverNanos, long nanos) {
        reference(serverNanos, nanos);
        upperRaw++;
        double t = seconds(serverNanos);
        double v = millis(nanos);
        if (upperCount > 0 && t - upperBucketStart < BUCKET_S) {
            int last = (upperNext + CAPACITY - 1) % CAPACITY; // same bucket: keep the tightest
            upperN[last]++;
            if (v < upperV[last]) {
                upperV[last] = v;
                upperT[last] = t;
                valid = false;
            }
            return;
        }
        upperBucketStart = t;
        upperT[upperNext] = t;
        upperV[upperNext] = v;
        upperN[upperNext] = 1;
        upperNext = (upperNext + 1) % CAPACITY;
        upperCount = Math.min(CAPACITY, upperCount + 1);
        valid = false;
    }

    /** A lower bound: sent at server time {@code serverNanos}, {@code server - sender} was {@code nanos}. */
    public void addLowerBound(long serverNanos, long nanos) {
        reference(serverNanos, nanos);
        lowerRaw++;
        double t = seconds(serverNanos);
        double v = millis(nanos);
        if (lowerCount > 0 && t - lowerBucketStart < BUCKET_S) {
            int last = (lowerNext + CAPACITY - 1) % CAPACITY;
            if (v > lowerV[last]) {
                lowerV[last] = v;
                lowerT[last] = t;
                valid = false;
            }
            return;
        }
        lowerBucketStart = t;
        lowerT[lowerNext] = t;
        lowerV[lowerNext] = v;
        lowerNext = (lowerNext + 1) % CAPACITY;
        lowerCount = Math.min(CAPACITY, lowerCount + 1);
        valid = false;
    }

    /** True once both directions were sampled: only then is the offset known. */
    public boolean hasEstimate() {
        return upperCount > 0 && lowerCount > 0;
    }

    public int upperBounds() {
        return upperCount;
    }

    public int lowerBounds() {
        return lowerCount;
    }

    /** Estimated {@code server time - sender time} at server time {@code serverNanos}. */
    public long offsetNanos(long serverNanos) {
        fit();
        double ms = center + skew * seconds(serverNanos);
        return refV + Math.round(ms * 1e6);
    }

    /** Half the narrowest band: the offset is within this of the estimate whatever the path asymmetry. */
    public double errorBoundMs() {
        fit();
        return Math.abs(halfWidth);
    }

    /** Fitted drift of the sender's clock against ours, in parts per million. */
    public double skewPpm() {
        fit();
        return skew * 1000;
    }

    /** Forgets everything (the sender's clock was replaced: a new stream). */
    public void reset() {
        upperCount = upperNext = lowerCount = lowerNext = 0;
        upperRaw = lowerRaw = 0;
        haveReference = false;
        valid = false;
    }

    private void fit() {
        if (valid) {
            return;
        }
        valid = true;
        if (!hasEstimate()) {
            skew = 0;
            center = 0;
            halfWidth = Double.POSITIVE_INFINITY;
            return;
        }
        double s = 0;
        // Each side's edge is a line under (over) its cloud; a wrong skew tilts it. With dense
        // bounds on one side (every RTP packet bounds from above) that side alone gives the skew
        // best: the line under the cloud closest to it on average (a one-sided linear program,
        // concave in s), averaged over its dense seconds only, once they span MIN_SPAN_FOR_SKEW_S.
        // Until then the skew is taken as zero: a browser's media bounds start with its first SR
        // (2.5-7.5 s in), and neither a fit on their first few seconds nor the widest gap between
        // them and a few pings' lower bounds held (-300 to -500 ppm at 10-14 s with pings only: 3-5 ms
        // off where zero skew is within 1 ms). With no dense side (pings alone): the skew with the
        // widest gap.
        int dense = upperRaw >= 4 * lowerRaw ? 1 : lowerRaw >= 4 * upperRaw ? -1 : 0;
        double spanUpper = dense == 1 ? denseSpan() : span(upperT, upperCount);
        double spanLower = span(lowerT, lowerCount);
        boolean spans = (dense == 1 ? spanUpper : dense == -1 ? spanLower : Math.min(spanUpper, spanLower))
                >= MIN_SPAN_FOR_SKEW_S;
        int side = dense;
        if (upperCount >= 4 && lowerCount >= 4 && spans) {
            double tu = meanDenseTime();
            double tl = meanTime(lowerT, lowerCount);
            double lo = -MAX_SKEW_MS_PER_S;
            double hi = MAX_SKEW_MS_PER_S;
            for (int i = 0; i < 100 && hi - lo > 1e-7; i++) {
                double m1 = lo + (hi - lo) / 3;
                double m2 = hi - (hi - lo) / 3;
                if (objective(m1, side, tu, tl) < objective(m2, side, tu, tl)) {
                    lo = m1;
                } else {
                    hi = m2;
                }
            }
            s = (lo + hi) / 2;
        }
        double u = minUpper(s);
        double l = maxLower(s);
        skew = s;
        // The band's edges are the tightest samples, but a sparse side (a report block a second)
        // stays further from the true edge than a dense one (fifty media packets a second): its
        // extreme overshoots by about one spacing between its tightest samples. The center takes
        // each edge moved in by that (the mean of its first few spacings); the error bound keeps
        // the hard edges.
        double uEdge = u - edgeSpacing(upperV, upperT, upperCount, s, 1);
        double lEdge = l + edgeSpacing(lowerV, lowerT, lowerCount, s, -1);
        center = Math.max(l, Math.min(u, (uEdge + lEdge) / 2));
        halfWidth = (u - l) / 2;
    }

    /**
     * The mean spacing between the {@link #EDGE_SPACINGS} + 1 tightest de-skewed samples of one side
     * (smallest uppers, {@code sign} 1; largest lowers, -1): how far that side's extreme typically
     * lies from the edge it estimates (for n samples near an edge of density f, about 1 / (n f)
     * each). 0 with too few samples. Allocation-free: keeps the k tightest in {@link #tightest}.
     */
    private double edgeSpacing(double[] v, double[] t, int n, double s, int sign) {
        int k = EDGE_SPACINGS + 1;
        if (n < 2 * k) {
            return 0;
        }
        int have = 0;
        for (int i = 0; i < n; i++) {
            double x = sign * (v[i] - s * t[i]); // smaller is tighter
            if (have < k) {
                tightest[have++] = x;
            } else if (x < tightest[k - 1]) {
                tightest[k - 1] = x;
            } else {
                continue;
            }
            for (int j = have - 1; j > 0 && tightest[j] < tightest[j - 1]; j--) {
                double tmp = tightest[j];
                tightest[j] = tightest[j - 1];
                tightest[j - 1] = tmp;
            }
        }
        return (tightest[k - 1] - tightest[0]) / EDGE_SPACINGS;
    }

    /** Concave in {@code s}; its maximum is the fitted skew. */
    private double objective(double s, int side, double tu, double tl) {
        return switch (side) {
            case 1 -> minUpper(s) + s * tu;
            case -1 -> -(maxLower(s) + s * tl);
            default -> minUpper(s) - maxLower(s);
        };
    }

    private double denseSpan() {
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < upperCount; i++) {
            if (upperN[i] >= DENSE_BUCKET) {
                first = Math.min(first, upperT[i]);
                last = Math.max(last, upperT[i]);
            }
        }
        return last > first ? last - first : 0;
    }

    private double meanDenseTime() {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < upperCount; i++) {
            if (upperN[i] >= DENSE_BUCKET) {
                sum += upperT[i];
                n++;
            }
        }
        return n == 0 ? meanTime(upperT, upperCount) : sum / n;
    }

    private static double meanTime(double[] t, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += t[i];
        }
        return n == 0 ? 0 : sum / n;
    }

    private double minUpper(double s) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < upperCount; i++) {
            m = Math.min(m, upperV[i] - s * upperT[i]);
        }
        return m;
    }

    private double maxLower(double s) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < lowerCount; i++) {
            m = Math.max(m, lowerV[i] - s * lowerT[i]);
        }
        return m;
    }

    private static double span(double[] t, int n) {
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            first = Math.min(first, t[i]);
            last = Math.max(last, t[i]);
        }
        return n == 0 ? 0 : last - first;
    }

    private void reference(long serverNanos, long nanos) {
        if (!haveReference) {
            haveReference = true;
            refT = serverNanos;
            refV = nanos;
        }
    }

    private double seconds(long serverNanos) {
        return (serverNanos - refT) / 1e9;
    }

    private double millis(long nanos) {
        return (nanos - refV) / 1e6;
    }
}
