package org.duet.mixer.demo;

/**
 * Test and demo signals at 48 kHz mono: a steady tone with short marked clicks, so that what
 * comes out of the mixer can be recognised (the tone's frequency) and timed (the clicks).
 */
public final class TestSignal {

    private TestSignal() {
    }

    /**
     * A tone at {@code hz} and {@code amplitude} with a click (a 1 ms full-scale burst of a higher
     * tone) every {@code clickPeriodSamples}, starting at {@code clickOffsetSamples}.
     */
    public static float[] toneWithClicks(int samples, double hz, float amplitude, int clickPeriodSamples,
                                         int clickOffsetSamples) {
        float[] out = new float[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / 48_000.0));
        }
        if (clickPeriodSamples > 0) {
            for (int start = clickOffsetSamples; start < samples; start += clickPeriodSamples) {
                addClick(out, start);
            }
        }
        return out;
    }

    /** A 1 ms click: a Hann-windowed 4 kHz burst, easy to find by cross-correlation. */
    public static void addClick(float[] signal, int at) {
        addClick(signal, at, 4000.0);
    }

    /** A 1 ms Hann-windowed burst at {@code hz}: clicks of two singers told apart by pitch. */
    public static void addClick(float[] signal, int at, double hz) {
        int len = 48;
        for (int i = 0; i < len && at + i < signal.length; i++) {
            if (at + i < 0) {
                continue;
            }
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (len - 1));
            signal[at + i] += (float) (0.8 * w * Math.sin(2 * Math.PI * hz * i / 48_000.0));
        }
    }

    /** The click shape on its own, as a template for matched filtering. */
    public static float[] clickTemplate() {
        return clickTemplate(4000.0);
    }

    /** The template of a click at {@code hz}. */
    public static float[] clickTemplate(double hz) {
        float[] t = new float[48];
        addClick(t, 0, hz);
        return t;
    }

    /** A metronome pattern for the demo's backing track: a soft tick each beat at {@code bpm}. */
    public static float[] metronome(int seconds, int bpm) {
        float[] out = new float[seconds * 48_000];
        int beat = 48_000 * 60 / bpm;
        for (int start = 0; start < out.length; start += beat) {
            for (int i = 0; i < 960 && start + i < out.length; i++) {
                double env = Math.exp(-i / 150.0);
                out[start + i] += (float) (0.5 * env * Math.sin(2 * Math.PI * 1500.0 * i / 48_000.0));
            }
        }
        return out;
    }
}
