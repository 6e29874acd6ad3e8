package org.duet.bench.analysis;

import java.util.Arrays;
import java.util.Collection;

/** Nearest-rank percentiles over a copy of the data; NaN for no data. */
public final class Percentiles {

    private Percentiles() {
    }

    public static double of(double[] values, double percentile) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static double of(Collection<Double> values, double percentile) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray(), percentile);
    }

    public static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
    }
}
