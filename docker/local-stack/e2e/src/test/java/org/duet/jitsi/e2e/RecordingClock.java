package org.duet.jitsi.e2e;

/**
 * When each sample of a page's recording was, on the wall clock: a line through the page's clock
 * readings. Each reading (taken as a chunk of the recording arrived) says when sample 0 was, by the
 * audio context's clock at that moment; a context whose clock runs slower or faster than the wall
 * clock (a starved renderer on a loaded machine) makes the readings move along the recording, which
 * one median offset cannot follow. Readings far off the line (a late reading) are left out.
 *
 * @param startEpochMs      wall-clock time of sample 0
 * @param driftMsPerSample  how much later each further sample is than the nominal rate says
 */
record RecordingClock(double startEpochMs, double driftMsPerSample) {

    /** Fewer readings than this: the median offset alone ({@code drift} 0). */
    private static final int MIN_READINGS = 20;

    /** Wall-clock time (epoch ms) of sample {@code index} (fractional) at {@code rate}. */
    double epochMsAt(double index, int rate) {
        return startEpochMs + index * (1000.0 / rate + driftMsPerSample);
    }

    /**
     * @param medianStartEpochMs the start time by the median reading (used without enough readings)
     * @param readings           [sample index, start time that reading implies (epoch ms)]
     */
    static RecordingClock fit(double medianStartEpochMs, double[][] readings) {
        if (readings == null || readings.length < MIN_READINGS) {
            return new RecordingClock(medianStartEpochMs, 0);
        }
        double[] line = leastSquares(readings, null);
        // leave out readings more than 3 median deviations (at least 2 ms) off the first line
        double[] dev = new double[readings.length];
        for (int i = 0; i < readings.length; i++) {
            dev[i] = Math.abs(readings[i][1] - (line[0] + line[1] * readings[i][0]));
        }
        double[] sorted = dev.clone();
        java.util.Arrays.sort(sorted);
        double limit = Math.max(2.0, 3 * sorted[sorted.length / 2]);
        boolean[] keep = new boolean[readings.length];
        int kept = 0;
        for (int i = 0; i < readings.length; i++) {
            keep[i] = dev[i] <= limit;
            kept += keep[i] ? 1 : 0;
        }
        if (kept >= MIN_READINGS) {
            line = leastSquares(readings, keep);
        }
        return new RecordingClock(line[0], line[1]);
    }

    /** Intercept and slope of the least-squares line through the kept readings. */
    private static double[] leastSquares(double[][] xy, boolean[] keep) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < xy.length; i++) {
            if (keep == null || keep[i]) {
                n++;
                sx += xy[i][0];
                sy += xy[i][1];
            }
        }
        double mx = sx / n;
        double my = sy / n;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < xy.length; i++) {
            if (keep == null || keep[i]) {
                sxx += (xy[i][0] - mx) * (xy[i][0] - mx);
                sxy += (xy[i][0] - mx) * (xy[i][1] - my);
            }
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        return new double[] {my - slope * mx, slope};
    }
}
