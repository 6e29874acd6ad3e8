package org.duet.mixer.echo;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.demo.SingingSignal;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's duck test on the real {@link EchoControl}, fed faster than real time as the room feeds
 * it (what we sent the singer, then their decoded voice, 10 ms at a time): singer X's microphone
 * returns the mix we send them (partner P's voice, Opus-coded) at -10 dB after 40 ms on top of
 * their own singing, Opus-coded back. Under the {@code duck} policy X's voice reaches the partner's
 * mix (which is X's voice) and the listener mix (P + X, aligned) with P's echo at least 20 dB
 * lower than under a policy that leaves the voice alone. Measured by least squares: the echo is
 * the part of X's voice that is P's voice one echo delay earlier (X's own singing does not
 * correlate with it); in the listener mix P's direct voice is a second regressor.
 */
class EchoDuckTest {

    static final int RATE = 48_000;
    static final int BLOCK = 480;

    /** X's voice as it leaves the control (placed back at capture time by the control's delay). */
    static float[] run(EchoControl c, float[] sent, float[] back) {
        float[] y = new float[back.length];
        float[] block = new float[BLOCK];
        for (int at = 0; at + BLOCK <= back.length; at += BLOCK) {
            c.onSent(sent, at, BLOCK, at);
            System.arraycopy(back, at, block, 0, BLOCK);
            c.process(block, BLOCK, at);
            int place = at - c.delaySamples();
            for (int i = 0; i < BLOCK; i++) {
                if (place + i >= 0) {
                    y[place + i] = block[i];
                }
            }
        }
        return y;
    }

    /** Least-squares gains of {@code y} on regressors {@code a} (and {@code b}, if not null) over [from, to). */
    static double[] regress(float[] y, float[] a, int lagA, float[] b, int lagB, int from, int to) {
        double aa = 0, ab = 0, bb = 0, ay = 0, by = 0;
        for (int i = from; i < to; i++) {
            double u = a[i - lagA];
            double v = b == null ? 0 : b[i - lagB];
            aa += u * u;
            ab += u * v;
            bb += v * v;
            ay += u * y[i];
            by += v * y[i];
        }
        if (b == null) {
            return new double[] {ay / aa};
        }
        double det = aa * bb - ab * ab;
        return new double[] {(ay * bb - by * ab) / det, (by * aa - ay * ab) / det};
    }

    static double db(double g) {
        return 20 * Math.log10(Math.abs(g) + 1e-12);
    }

    @Test
    void duckPolicyTakesTheEchoOutOfThePartnersMixAndTheListenerMixBy20dB() {
        int len = RATE * 10;
        int from = RATE * 4; // after detection (about 1.6 s) and the per-bin echo path's settling
        for (long seed = 1; seed <= 3; seed++) {
            float[] partner = SingingSignal.generate(len, 330, 0.4f, 50 + seed); // P: what we send X
            float[] own = SingingSignal.generate(len, 220, 0.4f, 60 + seed);     // X's own singing
            float[] back = EchoDetectorTest.returned(own, EchoDetectorTest.codec(partner), 0.316f, RATE * 40 / 1000);

            EchoControl plain = new EchoControl("x", EchoPolicy.ASK_HEADPHONES, true, null);
            float[] yPlain = run(plain, partner, back.clone());
            EchoControl duck = new EchoControl("x", EchoPolicy.DUCK, true, null);
            float[] yDuck = run(duck, partner, back.clone());
            assertThat(duck.detector().echo()).as("echo found").isTrue();
            assertThat(duck.altersVoice()).as("the room mixes X's voice rather than forwarding its packets").isTrue();
            int lag = (int) Math.round(duck.detector().delayMs() * RATE / 1000);

            // the partner's mix is X's voice: P's echo in it
            double echoPlain = db(regress(yPlain, partner, lag, null, 0, from, len)[0]);
            double echoDuck = db(regress(yDuck, partner, lag, null, 0, from, len)[0]);
            // the listener mix: P (direct) + X's voice, aligned by capture time
            float[] lPlain = new float[len];
            float[] lDuck = new float[len];
            for (int i = 0; i < len; i++) {
                lPlain[i] = partner[i] + yPlain[i];
                lDuck[i] = partner[i] + yDuck[i];
            }
            double[] gp = regress(lPlain, partner, lag, partner, 0, from, len);
            double[] gd = regress(lDuck, partner, lag, partner, 0, from, len);
            // and how much of X's own singing survives (at the codecs' delay, found by search)
            double ownPlain = bestGainDb(yPlain, own, from, len);
            double ownDuck = bestGainDb(yDuck, own, from, len);
            System.out.printf("duck seed %d: echo delay %.1f ms; partner's mix echo %.1f -> %.1f dB (drop %.1f);"
                    + " listener mix echo %.1f -> %.1f dB (drop %.1f), direct %.1f dB; X's own voice %.1f -> %.1f dB;"
                    + " ducked %.0f %% of frames%n", seed, duck.detector().delayMs(), echoPlain, echoDuck,
                    echoPlain - echoDuck, db(gp[0]), db(gd[0]), db(gp[0]) - db(gd[0]), db(gd[1]), ownPlain, ownDuck,
                    100 * duck.ducker().duckedShare());
            assertThat(echoPlain).as("the echo is there without ducking").isGreaterThan(-14);
            assertThat(echoPlain - echoDuck).as("echo drop in the partner's mix, dB").isGreaterThanOrEqualTo(20);
            assertThat(db(gp[0]) - db(gd[0])).as("echo drop in the listener mix, dB").isGreaterThanOrEqualTo(20);
            assertThat(db(gd[1])).as("the partner's own voice in the listener mix untouched").isCloseTo(0,
                    org.assertj.core.data.Offset.offset(1.0));
        }
    }

    /** The largest least-squares gain of {@code own} in {@code y} over lags 0..20 ms, dB. */
    static double bestGainDb(float[] y, float[] own, int from, int to) {
        double best = -200;
        for (int lag = 0; lag <= RATE / 50; lag += 6) {
            best = Math.max(best, db(regress(y, own, lag, null, 0, from, to)[0]));
        }
        return best;
    }

    @Test
    void withoutAnEchoTheDuckPolicyPassesTheVoiceUntouchedAtItsCaptureTime() {
        float[] own = SingingSignal.generate(RATE * 4, 220, 0.4f, 71);
        float[] partner = SingingSignal.generate(RATE * 4, 330, 0.4f, 72);
        EchoControl duck = new EchoControl("x", EchoPolicy.DUCK, true, null);
        float[] y = run(duck, partner, EchoDetectorTest.codec(own));
        float[] x = EchoDetectorTest.codec(own);
        double worst = 0;
        for (int i = RATE; i < RATE * 3; i++) {
            worst = Math.max(worst, Math.abs(y[i] - x[i]));
        }
        assertThat(duck.detector().echo()).isFalse();
        assertThat(duck.altersVoice()).isFalse();
        assertThat(worst).as("largest sample difference").isLessThan(1e-5);
    }
}
