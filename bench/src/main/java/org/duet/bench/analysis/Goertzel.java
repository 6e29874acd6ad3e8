package org.duet.bench.analysis;

/** Power of one frequency in a Hann-windowed block (Goertzel), as an amplitude estimate. */
public final class Goertzel {

    private Goertzel() {
    }

    /**
     * @return the estimated amplitude (0..1 of full scale) of a sine at {@code hz} in
     *         signal[off, off+len)
     */
    public static double amplitude(float[] signal, int off, int len, double hz, int sampleRate) {
        if (off < 0 || off + len > signal.length || len < 2) {
            return 0;
        }
        double w = 2 * Math.PI * hz / sampleRate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0, s2 = 0, windowSum = 0;
        for (int i = 0; i < len; i++) {
            double window = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (len - 1));
            windowSum += window;
            double s0 = signal[off + i] * window + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / windowSum;
    }
}
