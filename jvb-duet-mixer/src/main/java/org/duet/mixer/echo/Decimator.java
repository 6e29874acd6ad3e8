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
        for (int i = 0; i < n; i++) {
            float y = b.process(a.process(x[off + i]));
            long p = position + i;
            if (Math.floorMod(p, FACTOR) == 0) {
                long d = Math.floorDiv(p, FACTOR);
                int slot = (int) Math.floorMod(d, ring.length);
                ring[slot] = y;
                stamp[slot] = d;
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
        for (int i = 0; i < n; i++) {
            long d = from + i;
            int slot = (int) Math.floorMod(d, ring.length);
            if (stamp[slot] == d) {
                out[i] = ring[slot];
                present++;
            } else {
                out[i] = 0;
            }
        }
        return present;
    }
}
