package org.duet.mixer.demo;

import java.util.SplittableRandom;

/**
 * Singing-like test material, not a tone: a voice with a harmonic spectrum (fundamental plus
 * harmonics falling off at about 6 dB per octave), vibrato (5.5 Hz, +-1.5 %), a melody of notes
 * from a major scale lasting 0.3 to 0.8 s each with soft attacks and releases, a little breath
 * noise, and short rests between phrases. Seeded, so a test is repeatable; two seeds give two
 * different melodies in the same key (the hard case for an echo detector: correlated, not equal).
 */
public final class SingingSignal {

    private static final int[] MAJOR = {0, 2, 4, 5, 7, 9, 11, 12};

    private SingingSignal() {
    }

    /**
     * @param samples   48 kHz mono samples
     * @param baseHz    the key's tonic (e.g. 220 for a low voice, 330 for a higher one)
     * @param amplitude peak of the voice, 0..1
     */
    public static float[] generate(int samples, double baseHz, float amplitude, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[samples];
        double phase = 0;
        double vibratoPhase = r.nextDouble() * 2 * Math.PI;
        int i = 0;
        double f0 = baseHz;
        while (i < samples) {
            boolean rest = r.nextInt(8) == 0;
            int len = 48 * (300 + r.nextInt(500));
            double target = baseHz * Math.pow(2, MAJOR[r.nextInt(MAJOR.length)] / 12.0);
            float level = (float) (0.6 + 0.4 * r.nextDouble());
            for (int n = 0; n < len && i < samples; n++, i++) {
                if (rest) {
                    out[i] = (float) (amplitude * 0.002 * (r.nextDouble() * 2 - 1));
                    continue;
                }
                f0 += (target - f0) * 0.002; // a sung glide into the note
                double env = Math.min(1.0, n / (48.0 * 40)) * Math.min(1.0, (len - n) / (48.0 * 60));
                vibratoPhase += 2 * Math.PI * 5.5 / 48_000;
                double f = f0 * (1 + 0.015 * Math.sin(vibratoPhase) * Math.min(1.0, n / (48.0 * 200)));
                phase += 2 * Math.PI * f / 48_000;
                if (phase > 2 * Math.PI * 1000) {
                    phase -= 2 * Math.PI * 1000;
                }
                double v = 0;
                for (int h = 1; h <= 8; h++) {
                    if (f * h < 20_000) {
                        v += Math.sin(h * phase) / h;
                    }
                }
                v = v * 0.5 + 0.03 * (r.nextDouble() * 2 - 1);
                out[i] = (float) (amplitude * level * env * v);
            }
        }
        return out;
    }
}
