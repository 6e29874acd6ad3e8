package org.duet.mixer.jitter;

/**
 * Histogram of relative packet delay with exponential forgetting, in 1 ms buckets (the last
 * bucket collects everything beyond the range). Each new sample first scales every bucket by the
 * forget factor, then adds the remainder to its own bucket, so the buckets always sum to 1 and
 * old network behaviour fades with a chosen time constant. Until enough samples have been seen
 * the factor is lowered so the first samples are weighted equally (a plain average), which makes
 * the first estimate usable after a few packets. Allocation-free.
 */
final class RelativeDelayHistogram {

    private final double[] buckets;
    private long samples;

    RelativeDelayHistogram(int maxDelayMs) {
        this.buckets = new double[maxDelayMs + 2];
    }

    /**
     * @param delayMs      relative delay of one packet (clamped into range)
     * @param forgetFactor weight the past keeps, e.g. 1 - packetMs / memoryMs
     */
    void add(double delayMs, double forgetFactor) {
        samples++;
        double f = Math.min(forgetFactor, 1.0 - 1.0 / samples);
        int index = (int) Math.min(buckets.length - 1, Math.max(0, Math.floor(delayMs)));
        double sum = 0;
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] *= f;
            sum += buckets[i];
        }
        buckets[index] += 1.0 - sum; // renormalise: keeps the total at exactly 1 despite rounding
    }

    /**
     * Smallest delay (upper edge of its 1 ms bucket) such that at least {@code quantile} of the
     * weighted packets had a relative delay below it; 0 when empty.
     */
    double quantileMs(double quantile) {
        if (samples == 0) {
            return 0;
        }
        double acc = 0;
        for (int i = 0; i < buckets.length; i++) {
            acc += buckets[i];
            if (acc >= quantile) {
                return i + 1;
            }
        }
        return buckets.length;
    }

    long samples() {
        return samples;
    }

    void reset() {
        java.util.Arrays.fill(buckets, 0);
        samples = 0;
    }
}
