package org.duet.bench.report;

import java.util.Locale;

/** One measured figure, printed as {@code name value unit}. */
public record Figure(String name, double value, String unit) {

    public String line() {
        return name + " " + format(value) + " " + unit;
    }

    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : Math.abs(v) >= 1 ? "%.2f" : "%.4f", v);
    }
}
