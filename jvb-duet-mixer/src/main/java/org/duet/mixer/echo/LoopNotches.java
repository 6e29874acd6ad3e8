package org.duet.mixer.echo;

import org.duet.mixer.dsp.Biquad;

/**
 * The cuts {@link LoopGainGuard} puts into one singer's voice: up to four bands, each two cascaded
 * biquad notches (Q 8, as the {@link HowlSuppressor}'s: more than 40 dB at the centre, 10 dB at
 * 60 Hz off at 2 kHz). IIR: no latency. Media loop only; no allocation.
 */
final class LoopNotches {

    private static final int MAX = 4;
    private static final double Q = 8;

    private final Biquad[][] notch = new Biquad[MAX][2];
    private final double[] hz = new double[MAX];
    private final boolean[] on = new boolean[MAX];
    private int active;

    LoopNotches() {
        for (int i = 0; i < MAX; i++) {
            notch[i][0] = new Biquad().bypass();
            notch[i][1] = new Biquad().bypass();
        }
    }

    /** Cuts {@code f}; false when all four are in use. */
    boolean add(double f) {
        for (int i = 0; i < MAX; i++) {
            if (!on[i]) {
                notch[i][0].notch(f, Q, 48_000).reset();
                notch[i][1].notch(f, Q, 48_000).reset();
                hz[i] = f;
                on[i] = true;
                active++;
                return true;
            }
        }
        return false;
    }

    /** Takes out the cut nearest {@code f} (within 1 Hz). */
    void remove(double f) {
        for (int i = 0; i < MAX; i++) {
            if (on[i] && Math.abs(hz[i] - f) < 1) {
                on[i] = false;
                active--;
                return;
            }
        }
    }

    int active() {
        return active;
    }

    void process(float[] x, int off, int n) {
        if (active == 0) {
            return;
        }
        for (int k = 0; k < MAX; k++) {
            if (!on[k]) {
                continue;
            }
            Biquad a = notch[k][0];
            Biquad b = notch[k][1];
            for (int i = off; i < off + n; i++) {
                x[i] = b.process(a.process(x[i]));
            }
        }
    }
}
