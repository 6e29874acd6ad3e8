package org.duet.bench.analysis;

import java.util.Arrays;

/**
 * How far a received packet stream departs from its nominal schedule. Packet j (by RTP timestamp,
 * so losses do not shift the grid) is due at t0 + j * period; t0 is the median of
 * (arrival_j - j * period), so a constant offset does not count, only jitter does.
 */
public final class PacketTiming {

    /** @param p99AbsMs 99th percentile of |deviation|; maxAbsMs the largest; count packets used */
    public record Deviation(double p50AbsMs, double p99AbsMs, double maxAbsMs, int count) {
        public static final Deviation NONE = new Deviation(Double.NaN, Double.NaN, Double.NaN, 0);
    }

    private PacketTiming() {
    }

    /**
     * @param arrivalNanos arrival time of each packet
     * @param slot         packet index on the nominal grid (RTP timestamp / samples per packet,
     *                     unwrapped), same length as arrivalNanos
     * @param periodNanos  nominal packet interval
     * @return the absolute deviations from the fitted grid, in milliseconds
     */
    public static double[] deviationsMs(long[] arrivalNanos, long[] slot, int count, long periodNanos) {
        if (count == 0) {
            return new double[0];
        }
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) {
            offsets[i] = arrivalNanos[i] - slot[i] * periodNanos;
        }
        long[] sorted = Arrays.copyOf(offsets, count);
        Arrays.sort(sorted);
        long t0 = sorted[count / 2];
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = Math.abs(offsets[i] - t0) / 1e6;
        }
        return out;
    }

    public static Deviation summarize(double[] absDeviationsMs) {
        if (absDeviationsMs.length == 0) {
            return Deviation.NONE;
        }
        double max = Arrays.stream(absDeviationsMs).max().orElse(Double.NaN);
        return new Deviation(Percentiles.of(absDeviationsMs, 50), Percentiles.of(absDeviationsMs, 99), max,
                absDeviationsMs.length);
    }
}
