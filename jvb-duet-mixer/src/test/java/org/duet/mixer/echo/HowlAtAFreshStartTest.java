package org.duet.mixer.echo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A mixer that takes a duet over (or starts one) hears each singer's held note and sends the
 * partner's, both starting from nothing at the same moment: everything rises in what it sent. The
 * Jitsi e2e caught a steady 660 Hz tone notched 3.6 s after a takeover (2026-12-02 04:12): the
 * partner's voice, what the mixer sent, had nothing at 660 Hz but codec noise.
 */
class HowlAtAFreshStartTest {

    static final int RATE = 48_000;

    @Test
    void heldNotesSwellingInTogetherWithThePartnersAreNeverNotched() {
        int len = RATE * 8;
        int cases = 0;
        for (int fadeMs : new int[] {0, 300, 1000, -1000, -2500}) {
            for (double[] notes : new double[][] {{660, 440}, {440, 660}, {2000, 5600}}) {
                float[] voice = EchoDetectorTest.codec(swell(len, notes[0], 0.25f, fadeMs));
                float[] sent = EchoDetectorTest.codec(swell(len, notes[1], 0.25f, fadeMs));
                HowlSuppressor h = new HowlSuppressor(3_000);
                assertThat(HowlSuppressorTest.feed(h, voice, sent)).as("swell %d ms, %.0f Hz held, %.0f Hz sent: caught at %.0f Hz",
                        fadeMs, notes[0], notes[1], h.lastHowlHz()).isZero();
                cases++;
            }
        }
        System.out.printf("held notes swelling in with the partner's: %d cases, no notch%n", cases);
    }

    @Test
    void aToneGrowingLikeALoopIsNotchedOnlyWhenWhatWeSentCarriesIt() {
        int len = RATE * 6;
        // the voice: a 660 Hz tone growing along a straight line in dB (20 dB/s, a loop's signature) from -60 dBFS
        float[] voice = swell(len, 660, 0.25f, -3000);
        java.util.Random r = new java.util.Random(5);
        float[] noise = new float[len];
        float[] carrying = new float[len];
        for (int i = 0; i < len; i++) {
            // what we sent: a trace of 660 Hz 48 dB under the voice (a codec's noise), rising as everything
            // rises at a fresh start ...
            double g = Math.pow(10, (-100 + 40.0 * Math.min(1, i / (3.5 * RATE))) / 20);
            noise[i] = (float) (g * r.nextGaussian() + voice[i] / 251.0);
            // ... or the same tone 6 dB under the voice, as a loop through that singer's mix carries it
            carrying[i] = noise[i] + 0.5f * voice[i];
        }
        HowlSuppressor quiet = new HowlSuppressor(3_000);
        HowlSuppressor loop = new HowlSuppressor(3_000);
        long caughtQuiet = HowlSuppressorTest.feed(quiet, voice.clone(), noise);
        long caughtLoop = HowlSuppressorTest.feed(loop, voice.clone(), carrying);
        System.out.printf("a loop-like rise: caught %d times when we sent a trace of it, %d times when we sent the tone (at %.0f Hz)%n",
                caughtQuiet, caughtLoop, loop.lastHowlHz());
        assertThat(caughtQuiet).as("660 Hz went out 48 dB under the voice: no loop through us brings it back that loud").isZero();
        assertThat(caughtLoop).as("the tone went out and grows back: a loop").isPositive();
    }

    /** A tone from 0.5 s on: abrupt (0), a linear fade in amplitude (ms > 0) or a straight line in dB from -60 dBFS (ms < 0). */
    static float[] swell(int len, double hz, float amplitude, int fadeMs) {
        return HowlSuppressorTest.fadeIn(HowlSuppressorTest.tone(len, hz, amplitude), RATE / 2, fadeMs, -60);
    }
}
