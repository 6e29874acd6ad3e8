package org.duet.mixer.echo;

import org.duet.mixer.dsp.Biquad;

/**
 * 48 kHz -> 4 kHz for the echo detector: a 4th-order Butterworth low-pass at 1.6 kHz, then every
 * 12th sample, written into a ring by absolute (decimated) position. Voices have most of their
 * energy below 2 kHz, and Opus keeps the waveform there, so this band is where a codec-coded echo
 * still correlates with what was sent. Mic and reference go through the same filter, so its phase
 * delay cancels out of the measured lag.
 *
 * <p>Only every 12th output is kept, so the filter runs in blocks of 12 samples that end on a kept
 * one (the block form of its state-space realisation, in double):
 *
 * <pre>
 *   s[n+1] = A s[n] + B x[n],  y[n] = C s[n] + D x[n]          (4 states: the two sections)
 *   y[p+11] = C A^11 s[p] + sum_i C A^(10-i) B x[p+i] + D x[p+11]
 *   s[p+12] = A^12 s[p]   + sum_i A^(11-i) B x[p+i]
 * </pre>
 *
 * The same filter as the two cascaded {@link Biquad} sections it is built from (the outputs agree
 * to float precision, DecimatorTest), at about 7 independent multiply-adds per input sample instead
 * of two recursions that wait on their previous outputs every sample: this runs on every sample of
 * every singer's voice and of what we send them.
 */
final class Decimator {

    static final int FACTOR = 12;
    private static final int STATES = 4;

    /** One step: s' = A s + B x, y = C s + D x. */
    private final double[][] a = new double[STATES][STATES];
    private final double[] b = new double[STATES];
    private final double[] c = new double[STATES];
    private final double d;
    /** A block of FACTOR samples ending on a kept one: s' = P s + sum Q[i] x[i], y = G s + sum H[i] x[i]. */
    private final double[] p = new double[STATES * STATES];
    private final double[] q = new double[FACTOR * STATES];
    private final double[] g = new double[STATES];
    private final double[] h = new double[FACTOR];
    private double s0;
    private double s1;
    private double s2;
    private double s3;

    private final float[] ring;
    private final long[] stamp;
    private long next = Long.MIN_VALUE;

    Decimator(int ringSize) {
        ring = new float[ringSize];
        stamp = new long[ringSize];
        java.util.Arrays.fill(stamp, Long.MIN_VALUE);
        // The two sections in transposed direct form II, state (s1a, s2a, s1b, s2b):
        //   ya = b0a x + s1a;  s1a' = b1a x - a1a ya + s2a;  s2a' = b2a x - a2a ya;  yb likewise on ya.
        double[] sa = Biquad.lowPassCoefficients(1600, 0.5412, 48_000);
        double[] sb = Biquad.lowPassCoefficients(1600, 1.3066, 48_000);
        // the step is linear in (s, x): its matrices are its responses to unit states and a unit input
        for (int j = 0; j <= STATES; j++) {
            double[] st = new double[STATES];
            double x = 0;
            if (j < STATES) {
                st[j] = 1;
            } else {
                x = 1;
            }
            double[] out = new double[STATES + 1];
            step(sa, sb, st, x, out);
            for (int i = 0; i < STATES; i++) {
                if (j < STATES) {
                    a[i][j] = out[i];
                } else {
                    b[i] = out[i];
                }
            }
            if (j < STATES) {
                c[j] = out[STATES];
            }
        }
        double[] unit = new double[STATES + 1];
        double[] st = new double[STATES];
        step(sa, sb, st, 1, unit);
        d = unit[STATES];
        // powers of A: pw[k] = A^k
        double[][][] pw = new double[FACTOR + 1][][];
        pw[0] = identity();
        for (int k = 1; k <= FACTOR; k++) {
            pw[k] = multiply(a, pw[k - 1]);
        }
        for (int i = 0; i < STATES; i++) {
            for (int j = 0; j < STATES; j++) {
                p[i * STATES + j] = pw[FACTOR][i][j];
            }
        }
        for (int k = 0; k < FACTOR; k++) {
            double[] v = apply(pw[FACTOR - 1 - k], b);
            System.arraycopy(v, 0, q, k * STATES, STATES);
        }
        double[] cA11 = rowTimes(c, pw[FACTOR - 1]);
        System.arraycopy(cA11, 0, g, 0, STATES);
        for (int k = 0; k < FACTOR - 1; k++) {
            h[k] = dot(rowTimes(c, pw[FACTOR - 2 - k]), b);
        }
        h[FACTOR - 1] = d;
    }

    /** The cascade's step on state {@code s} and input {@code x}: the new state into out[0..3], the output into out[4]. */
    private static void step(double[] sa, double[] sb, double[] s, double x, double[] out) {
        double ya = sa[0] * x + s[0];
        out[0] = sa[1] * x - sa[3] * ya + s[1];
        out[1] = sa[2] * x - sa[4] * ya;
        double yb = sb[0] * ya + s[2];
        out[2] = sb[1] * ya - sb[3] * yb + s[3];
        out[3] = sb[2] * ya - sb[4] * yb;
        out[4] = yb;
    }

    /** Samples {@code x[off..off+n)} at 48 kHz positions {@code position...}. */
    void write(float[] x, int off, int n, long position) {
        if (position != next) {
            s0 = s1 = s2 = s3 = 0; // a jump in position: do not filter across it
        } else if (Math.abs(s0) < 1e-50 && Math.abs(s1) < 1e-50 && Math.abs(s2) < 1e-50 && Math.abs(s3) < 1e-50) {
            s0 = s1 = s2 = s3 = 0; // after silence: never subnormal (see Biquad#settleIfSilent)
        }
        int i = 0;
        // single steps up to the start of a block (a block ends on a kept position, a multiple of FACTOR)
        while (i < n && Math.floorMod(position + i, (long) FACTOR) != 1) {
            single(x[off + i], position + i);
            i++;
        }
        for (; i + FACTOR <= n; i += FACTOR) {
            block(x, off + i, position + i + FACTOR - 1);
        }
        for (; i < n; i++) {
            single(x[off + i], position + i);
        }
        next = position + n;
    }

    private void single(float in, long pos) {
        if (Math.floorMod(pos, (long) FACTOR) == 0) {
            keep(pos / FACTOR, c[0] * s0 + c[1] * s1 + c[2] * s2 + c[3] * s3 + d * in);
        }
        double n0 = a[0][0] * s0 + a[0][1] * s1 + a[0][2] * s2 + a[0][3] * s3 + b[0] * in;
        double n1 = a[1][0] * s0 + a[1][1] * s1 + a[1][2] * s2 + a[1][3] * s3 + b[1] * in;
        double n2 = a[2][0] * s0 + a[2][1] * s1 + a[2][2] * s2 + a[2][3] * s3 + b[2] * in;
        double n3 = a[3][0] * s0 + a[3][1] * s1 + a[3][2] * s2 + a[3][3] * s3 + b[3] * in;
        s0 = n0;
        s1 = n1;
        s2 = n2;
        s3 = n3;
    }

    /** FACTOR samples from {@code x[at]}, the last at kept position {@code last}. */
    private void block(float[] x, int at, long last) {
        double y = g[0] * s0 + g[1] * s1 + g[2] * s2 + g[3] * s3;
        double n0 = p[0] * s0 + p[1] * s1 + p[2] * s2 + p[3] * s3;
        double n1 = p[4] * s0 + p[5] * s1 + p[6] * s2 + p[7] * s3;
        double n2 = p[8] * s0 + p[9] * s1 + p[10] * s2 + p[11] * s3;
        double n3 = p[12] * s0 + p[13] * s1 + p[14] * s2 + p[15] * s3;
        for (int k = 0; k < FACTOR; k++) {
            double v = x[at + k];
            y += h[k] * v;
            int j = k * STATES;
            n0 += q[j] * v;
            n1 += q[j + 1] * v;
            n2 += q[j + 2] * v;
            n3 += q[j + 3] * v;
        }
        s0 = n0;
        s1 = n1;
        s2 = n2;
        s3 = n3;
        keep(last / FACTOR, y);
    }

    private void keep(long decimated, double y) {
        int slot = (int) Math.floorMod(decimated, (long) ring.length);
        ring[slot] = (float) y;
        stamp[slot] = decimated;
    }

    /** The newest decimated position written, exclusive. */
    long end() {
        return next == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(next - 1, FACTOR) + 1;
    }

    /** Copies decimated positions {@code [from, from+n)} into {@code out}; missing ones are 0. */
    int read(long from, float[] out, int n) {
        int present = 0;
        int slot = (int) Math.floorMod(from, (long) ring.length);
        for (int i = 0; i < n; i++) {
            long dd = from + i;
            if (stamp[slot] == dd) {
                out[i] = ring[slot];
                present++;
            } else {
                out[i] = 0;
            }
            slot = slot + 1 == ring.length ? 0 : slot + 1;
        }
        return present;
    }

    private static double[][] identity() {
        double[][] m = new double[STATES][STATES];
        for (int i = 0; i < STATES; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[][] multiply(double[][] x, double[][] y) {
        double[][] m = new double[STATES][STATES];
        for (int i = 0; i < STATES; i++) {
            for (int j = 0; j < STATES; j++) {
                double v = 0;
                for (int k = 0; k < STATES; k++) {
                    v += x[i][k] * y[k][j];
                }
                m[i][j] = v;
            }
        }
        return m;
    }

    private static double[] apply(double[][] m, double[] v) {
        double[] r = new double[STATES];
        for (int i = 0; i < STATES; i++) {
            for (int k = 0; k < STATES; k++) {
                r[i] += m[i][k] * v[k];
            }
        }
        return r;
    }

    private static double[] rowTimes(double[] row, double[][] m) {
        double[] r = new double[STATES];
        for (int j = 0; j < STATES; j++) {
            for (int k = 0; k < STATES; k++) {
                r[j] += row[k] * m[k][j];
            }
        }
        return r;
    }

    private static double dot(double[] x, double[] y) {
        double v = 0;
        for (int i = 0; i < STATES; i++) {
            v += x[i] * y[i];
        }
        return v;
    }
}
