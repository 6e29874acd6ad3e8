package org.duet.mixer.dsp;

/**
 * One second-order IIR section (RBJ audio-EQ cookbook coefficients), direct form I, float. No
 * latency and no allocation: the howl notch and the detectors' decimation low-pass.
 */
public final class Biquad {

    private double b0 = 1;
    private double b1;
    private double b2;
    private double a1;
    private double a2;
    private double x1;
    private double x2;
    private double y1;
    private double y2;

    /** A notch at {@code hz} with quality {@code q} (bandwidth = hz / q). */
    public Biquad notch(double hz, double q, double sampleRate) {
        double w = 2 * Math.PI * hz / sampleRate;
        double alpha = Math.sin(w) / (2 * q);
        double a0 = 1 + alpha;
        return set(1 / a0, -2 * Math.cos(w) / a0, 1 / a0, -2 * Math.cos(w) / a0, (1 - alpha) / a0);
    }

    /** A low-pass at {@code hz} with quality {@code q} (0.7071: Butterworth). */
    public Biquad lowPass(double hz, double q, double sampleRate) {
        double[] k = lowPassCoefficients(hz, q, sampleRate);
        return set(k[0], k[1], k[2], k[3], k[4]);
    }

    /** The low-pass's normalised coefficients {b0, b1, b2, a1, a2} (for a filter built another way). */
    public static double[] lowPassCoefficients(double hz, double q, double sampleRate) {
        double w = 2 * Math.PI * hz / sampleRate;
        double alpha = Math.sin(w) / (2 * q);
        double c = Math.cos(w);
        double a0 = 1 + alpha;
        return new double[] {(1 - c) / 2 / a0, (1 - c) / a0, (1 - c) / 2 / a0, -2 * c / a0, (1 - alpha) / a0};
    }

    /** A band-pass (0 dB peak) at {@code hz} with quality {@code q}. */
    public Biquad bandPass(double hz, double q, double sampleRate) {
        double w = 2 * Math.PI * hz / sampleRate;
        double alpha = Math.sin(w) / (2 * q);
        double a0 = 1 + alpha;
        return set(alpha / a0, 0, -alpha / a0, -2 * Math.cos(w) / a0, (1 - alpha) / a0);
    }

    /** Passes everything unchanged. */
    public Biquad bypass() {
        return set(1, 0, 0, 0, 0);
    }

    private Biquad set(double nb0, double nb1, double nb2, double na1, double na2) {
        b0 = nb0;
        b1 = nb1;
        b2 = nb2;
        a1 = na1;
        a2 = na2;
        return this;
    }

    public float process(float x) {
        double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        return (float) y;
    }

    public void reset() {
        x1 = x2 = y1 = y2 = 0;
    }

    /**
     * After a stretch of exact zeros in, the state decays towards zero without reaching it and goes
     * subnormal (under 1e-308), where x86 computes about a hundred times slower. Once every state
     * value is under 1e-50 this sets them to zero: the float output is 0 either way (a float cannot
     * hold a value under 1.4e-45; the decaying tail may round to -0.0 where this gives 0.0, which
     * compare equal), so no value a caller sees changes.
     *
     * @return whether the state is now all zeros: then a 0 in gives 0 out and leaves it so, and a
     *         caller may skip {@link #process} for zeros until the first non-zero sample
     */
    public boolean settleIfSilent() {
        if (Math.abs(x1) < 1e-50 && Math.abs(x2) < 1e-50 && Math.abs(y1) < 1e-50 && Math.abs(y2) < 1e-50) {
            x1 = x2 = y1 = y2 = 0;
            return true;
        }
        return false;
    }
}
