package org.duet.mixer.echo;

import org.duet.mixer.dsp.Biquad;

/**
 * 48 kHz -> 4 kHz for the echo detector: a 4th-order Butterworth low-pass at 1.6 kHz, then every
 * 12th sample, written into a ring by absolute (decimated) position. Voices have most of their
 * energy below 2 kHz, and Opus keeps the waveform there, so this band is where a codec-coded echo
 * still correlates with what was sent. Mic and reference go through the same filter, so its phase
 * delay cancels out of the measured lag.
 */
final class Decimator {

    static final int FACTOR = 12;

    private final Biquad a = new Biquad().lowPass(1600, 0.5412, 48_000);
    private final Biquad b = new Biquad().lowPass(1600, 1.3066, 48_000);
    private final float[] ring;
    private final long[] stamp;
    private long next = Long.MIN_VALUE;

    Decimator(int ringSize) {
        ring = new float[ringSize];
        stamp = new long[ringSize];
        java.util.Arrays.fill(stamp, Long.MIN_VALUE);
    }

    /** Samples {@code x[off..off+n)} at 48 kHz positions {@code position...}. */
    void write(float[] x, int off, int n, long position) {
        if (position != next) {
            a.reset(); // a jump in position: do not filter across it
            b.reset();
        }
        // Every FACTOR-th absolute position is kept: find the first one here, then step (no
        // division per sample: this runs on every sample of every singer's voice and mix).
        int keep = (int) Math.floorMod(-position, (long) FACTOR);
        long d = Math.floorDiv(position + keep, FACTOR);
        int slot = (int) Math.floorMod(d, (long) ring.length);
        // While both filters' state is all zeros, a 0 in is a 0 out: silence skips them (and does not
        // leave them subnormal, see Biquad#settleIfSilent) until the first sound.
        boolean settled = a.settleIfSilent() & b.settleIfSilent();
        for (int i = 0; i < n; i++) {
            float in = x[off + i];
            float y;
            if (settled && in == 0f) {
                y = 0f;
            } else {
                settled = false;
                y = b.process(a.process(in));
            }
            if (i == keep) {
                ring[slot] = y;
                stamp[slot] = d;
                d++;
                slot = slot + 1 == ring.length ? 0 : slot + 1;
                keep += FACTOR;
            }
        }
        next = position + n;
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
            long d = from + i;
            if (stamp[slot] == d) {
                out[i] = ring[slot];
                present++;
            } else {
                out[i] = 0;
            }
            slot = slot + 1 == ring.length ? 0 : slot + 1;
        }
        return present;
    }
}
