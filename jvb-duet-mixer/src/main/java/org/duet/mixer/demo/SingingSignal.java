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

    /**
     * Sustained vowels: notes held 2 to 4 s on an "ah" (harmonics up to 6 kHz shaped by formants at
     * 700, 1200 and 2600 Hz), each with a swell (up 9 dB and back: a messa di voce), vibrato that
     * starts after a straight first half second (5 to 6 Hz, +-1 %), a little pitch drift and breath
     * noise. The hard case for a howl detector: long, loud, narrowband peaks that rise.
     */
    public static float[] sustainedVowels(int samples, double baseHz, float amplitude, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[samples];
        double phase = 0;
        int i = 0;
        while (i < samples) {
            int len = 48 * (2000 + r.nextInt(2000));
            double f0 = baseHz * Math.pow(2, MAJOR[r.nextInt(MAJOR.length)] / 12.0);
            double rate = 5 + r.nextDouble();
            double vibratoPhase = 0;
            double drift = 0;
            int harmonics = (int) Math.min(64, 6000 / f0);
            double[] weight = new double[harmonics + 1];
            for (int h = 1; h <= harmonics; h++) {
                double fh = h * f0;
                double formant = 1 / (1 + sq((fh - 700) / 130)) + 0.7 / (1 + sq((fh - 1200) / 150))
                        + 0.3 / (1 + sq((fh - 2600) / 250));
                weight[h] = (0.15 / h + formant) / 2;
            }
            for (int n = 0; n < len && i < samples; n++, i++) {
                double t = n / 48_000.0;
                double swell = Math.pow(10, 9 / 20.0 * Math.sin(Math.PI * n / len)) / Math.pow(10, 9 / 20.0);
                double env = Math.min(1.0, n / (48.0 * 60)) * Math.min(1.0, (len - n) / (48.0 * 80));
                vibratoPhase += 2 * Math.PI * rate / 48_000;
                drift += (r.nextDouble() - 0.5) * 2e-6 - drift * 1e-4;
                double depth = 0.01 * Math.min(1.0, Math.max(0.0, (t - 0.5) / 0.3));
                double f = f0 * (1 + depth * Math.sin(vibratoPhase) + drift);
                phase += 2 * Math.PI * f / 48_000;
                if (phase > 2 * Math.PI * 1000) {
                    phase -= 2 * Math.PI * 1000;
                }
                // sin(h x) by the recurrence sin((h+1)x) = 2 cos x sin(hx) - sin((h-1)x)
                double s1 = Math.sin(phase);
                double c2 = 2 * Math.cos(phase);
                double s0 = 0;
                double v = 0;
                for (int h = 1; h <= harmonics; h++) {
                    v += s1 * weight[h];
                    double next = c2 * s1 - s0;
                    s0 = s1;
                    s1 = next;
                }
                v = v * 0.5 + 0.01 * (r.nextDouble() * 2 - 1);
                out[i] = (float) (amplitude * swell * env * v);
            }
        }
        return out;
    }

    private static double sq(double x) {
        return x * x;
    }
}
