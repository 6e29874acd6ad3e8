package org.duet.mixer.demo;

import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.echo.HowlSuppressor;

/**
 * A singer's voice in an acoustic feedback loop, in simulated time (issue 15's howl test and the
 * {@code howl_suppress_ms} bench figure): what leaves the input (through the suppressor, if any)
 * comes back to it {@code delayMs} later through a resonance at {@code hz} (a band-pass, Q 8) with
 * gain {@code loopGain} at its peak and less elsewhere, as a speaker, a room and a microphone in a
 * loop would; the loop closes at {@link #CLOSE_AT} and saturates at +-4 (+12 dBFS) as a real one
 * clips. Blocks of 10 ms, as the media loop delivers a voice. What leaves is also what the singer
 * is sent (their mix returns their voice: the shortest loop through the mixer; a loop through two
 * singers is the same with two acoustic paths), so the suppressor is told of it as the room would.
 */
public final class FeedbackLoop {

    public static final int RATE = 48_000;
    public static final int BLOCK = 480;
    /** The loop closes 1 s in: before, the voice alone. */
    public static final int CLOSE_AT = RATE;

    private FeedbackLoop() {
    }

    /** What came out per 10 ms: the level at the loop frequency (dBFS) and the howl's onset and cut. */
    public record Run(double[] levelDb, float[] output) {
    }

    public static Run run(HowlSuppressor h, float[] voice, double loopGain, double hz, int delayMs) {
        int delay = RATE * delayMs / 1000;
        Biquad room = new Biquad().bandPass(hz, 8, RATE);
        float[] out = new float[voice.length / BLOCK * BLOCK];
        float[] block = new float[BLOCK];
        for (int at = 0; at < out.length; at += BLOCK) {
            for (int i = 0; i < BLOCK; i++) {
                int n = at + i;
                float back = room.process(n >= CLOSE_AT ? (float) loopGain * out[n - delay] : 0f);
                block[i] = Math.max(-4f, Math.min(4f, voice[n] + back));
            }
            if (h != null) {
                h.process(block, 0, BLOCK);
                h.onSent(block, 0, BLOCK);
            }
            System.arraycopy(block, 0, out, at, BLOCK);
        }
        double[] level = new double[out.length / BLOCK];
        for (int w = 0; w < level.length; w++) {
            level[w] = toneDb(out, w * BLOCK, BLOCK * 2, hz);
        }
        return new Run(level, out);
    }

    /**
     * The howl's onset: the first 10 ms block after the loop closed whose level at the loop
     * frequency, without suppression, stands 10 dB above the highest the voice alone reached there
     * in the second before; -1 if it never does.
     */
    public static int onsetBlock(double[] free) {
        double before = -200;
        for (int w = CLOSE_AT / BLOCK - RATE / BLOCK; w < CLOSE_AT / BLOCK; w++) {
            before = Math.max(before, free[Math.max(0, w)]);
        }
        for (int w = CLOSE_AT / BLOCK; w < free.length; w++) {
            if (free[w] > before + 10) {
                return w;
            }
        }
        return -1;
    }

    /**
     * The howl's onset against a stable room: the first block after the loop closed whose level at
     * the loop frequency, without suppression, stands 10 dB above the loudest the same voice ever
     * reaches there in a stable loop ({@code stable}: the same round trip at gain 0.9); -1 if never.
     * A voice with little energy at the loop frequency rises by the first round trips' echoes alone,
     * which no listener calls a howl; a howl is what a stable room never does.
     */
    public static int onsetBlock(double[] free, double[] stable) {
        double loudest = -200;
        for (int w = CLOSE_AT / BLOCK; w < stable.length; w++) {
            loudest = Math.max(loudest, stable[w]);
        }
        for (int w = CLOSE_AT / BLOCK; w < free.length; w++) {
            if (free[w] > loudest + 10) {
                return w;
            }
        }
        return -1;
    }

    /** The first block at or after {@code from} where the suppressed run is {@code db} below the free one; -1 if none. */
    public static int cutBlock(double[] free, double[] suppressed, int from, double db) {
        for (int w = Math.max(0, from); w < free.length; w++) {
            if (free[w] - suppressed[w] >= db) {
                return w;
            }
        }
        return -1;
    }

    /**
     * Milliseconds from the howl's onset to a 20 dB cut, for a loop of gain {@code loopGain} at
     * 2 kHz, 50 ms round trip, with a singing voice; NaN when the loop never howls or is never cut.
     */
    public static double suppressMs(double loopGain, long seed) {
        float[] voice = SingingSignal.generate(RATE * 4, 220, 0.3f, seed);
        double[] free = run(null, voice, loopGain, 2000, 50).levelDb();
        double[] cut = run(new HowlSuppressor(10_000), voice, loopGain, 2000, 50).levelDb();
        int onset = onsetBlock(free);
        int at = cutBlock(free, cut, onset, 20);
        return onset < 0 || at < 0 ? Double.NaN : (at - onset) * 1000.0 * BLOCK / RATE;
    }

    /** Level of one frequency over {@code len} samples (Goertzel, Hann window), dB re a full-scale sine. */
    public static double toneDb(float[] x, int from, int len, double hz) {
        len = Math.min(len, x.length - from);
        double w = 2 * Math.PI * hz / RATE;
        double c = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < len; i++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / len);
            double s = x[from + i] * hann + c * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - c * s1 * s2;
        return 10 * Math.log10(power + 1e-30) - 20 * Math.log10(len / 4.0);
    }
}
