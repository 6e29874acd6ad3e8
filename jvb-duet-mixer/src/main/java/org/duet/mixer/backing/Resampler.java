package org.duet.mixer.backing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Converts mono audio from any sample rate to 48 kHz with a windowed-sinc (Blackman, 32 taps)
 * interpolator: a backing track at 44.1 kHz keeps its top octave clean, which linear interpolation
 * would fill with images. The kernel is tabulated once (512 phases), so a 4-minute song resamples
 * in well under a second on the decode worker. Never used on the media loop.
 */
public final class Resampler {

    static final int HALF_TAPS = 16;
    private static final int PHASES = 512;

    private Resampler() {
    }

    /** Returns {@code in} itself when it already is at 48 kHz. */
    public static float[] to48k(float[] in, double rate, int maxOut) {
        if (Math.abs(rate - 48_000.0) < 0.5) {
            return in.length <= maxOut ? in : java.util.Arrays.copyOf(in, maxOut);
        }
        if (!(rate >= 1000 && rate <= 768_000)) {
            throw new IllegalArgumentException("sample rate " + rate + " Hz is outside 1 kHz to 768 kHz");
        }
        double step = rate / 48_000.0; // input samples per output sample
        double cutoff = Math.min(1.0, 1.0 / step) * 0.95; // below the lower Nyquist, with a little margin
        float[] table = kernelFor(cutoff);
        long n = Math.min(maxOut, (long) Math.floor(in.length / step));
        float[] out = new float[(int) Math.max(0, n)];
        for (int i = 0; i < out.length; i++) {
            double x = i * step;
            int j = (int) Math.floor(x);
            double frac = x - j;
            double p = frac * PHASES;
            int phase = (int) p;
            float w = (float) (p - phase);
            int base0 = phase * 2 * HALF_TAPS;
            int base1 = (phase + 1) * 2 * HALF_TAPS;
            float acc = 0;
            for (int k = -HALF_TAPS + 1; k <= HALF_TAPS; k++) {
                int idx = j + k;
                if (idx < 0 || idx >= in.length) {
                    continue;
                }
                int t = k + HALF_TAPS - 1;
                float c = table[base0 + t] + (table[base1 + t] - table[base0 + t]) * w;
                acc += in[idx] * c;
            }
            out[i] = acc;
        }
        return out;
    }

    /** A table made, with its cutoff: uploads at one rate (44.1 kHz) share it. */
    private record Kernel(double cutoff, float[] table) {
    }

    /** The last few tables made (a few rates in turn: 44.1 kHz, 32 kHz, 22.05 kHz), replaced in turn. */
    private static final AtomicReferenceArray<Kernel> RECENT = new AtomicReferenceArray<>(4);
    private static final AtomicInteger NEXT = new AtomicInteger();

    /**
     * The table for {@code cutoff}, made once for each of a few recent rates: making it (16,000 sines and
     * cosines) cost more than resampling a short file (JFR profile of {@code ./duet bench --fuzz}).
     * The table is never written after it is made, so sharing it between decode workers is safe.
     */
    private static float[] kernelFor(double cutoff) {
        for (int i = 0; i < RECENT.length(); i++) {
            Kernel k = RECENT.get(i);
            if (k != null && k.cutoff() == cutoff) {
                return k.table();
            }
        }
        Kernel k = new Kernel(cutoff, kernel(cutoff));
        RECENT.set(Math.floorMod(NEXT.getAndIncrement(), RECENT.length()), k);
        return k.table();
    }

    /** Kernel value for tap offset (k - frac), tabulated for PHASES + 1 fractions. */
    private static float[] kernel(double cutoff) {
        float[] t = new float[(PHASES + 1) * 2 * HALF_TAPS];
        for (int ph = 0; ph <= PHASES; ph++) {
            double frac = (double) ph / PHASES;
            for (int k = -HALF_TAPS + 1; k <= HALF_TAPS; k++) {
                double d = k - frac; // distance from the output point, in input samples
                double sinc = d == 0 ? 1.0 : Math.sin(Math.PI * cutoff * d) / (Math.PI * cutoff * d);
                double pos = (d + HALF_TAPS) / (2.0 * HALF_TAPS); // 0..1 across the window
                double window = pos <= 0 || pos >= 1 ? 0
                        : 0.42 - 0.5 * Math.cos(2 * Math.PI * pos) + 0.08 * Math.cos(4 * Math.PI * pos);
                t[ph * 2 * HALF_TAPS + k + HALF_TAPS - 1] = (float) (cutoff * sinc * window);
            }
        }
        return t;
    }
}
