package org.duet.mixer.echo;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.demo.SingingSignal;
import org.duet.mixer.demo.TwoSingerLoop;
import org.duet.mixer.demo.TwoSingerLoop.Room;
import org.duet.mixer.demo.TwoSingerLoop.Singer;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's loop between two singing voices, in simulated time ({@link TwoSingerLoop}): P's room
 * returns what P hears flat, X's at -10 dB plus a 2 kHz resonance that makes 1.2 there (0.3 + 0.9
 * at its centre; the stable reference: 0.9); both sing all along. The
 * loop gain at 2 kHz is 1.2: without control it howls. The {@link LoopGainGuard} must cut it before
 * the howl's onset or within 300 ms of it, by 20 dB; and never cut anything when no loop reaches
 * 1 (a singer on headphones, two rooms that return little).
 */
class LoopGainGuardTest {

    static final int RATE = TwoSingerLoop.RATE;
    static final int BLOCK = TwoSingerLoop.BLOCK;
    static final int CLOSE_AT = RATE * 2;

    /** (up, echo) ms per singer: round trips of 160 to 800 ms (a loaded receiver's playout included). */
    static final int[][] PATHS = {{20, 60}, {30, 120}, {50, 150}, {80, 250}, {100, 300}};

    @Test
    void aLoopOfGain12At2kHzBetweenTwoSingersIsCutBeforeItHowls() {
        System.out.println("loop_guard rtt_ms onset_ms caught_ms caught_after_onset_ms loudest_over_stable_dB"
                + " least_cut_dB cuts_a cuts_b cut_hz");
        for (int[] path : PATHS) {
            int rtt = 2 * (path[0] + path[1]);
            int len = RATE * 16;
            float[] p = SingingSignal.generate(len, 330, 0.3f, 7 + path[1]);
            float[] x = SingingSignal.generate(len, 220, 0.3f, 9 + path[1]);
            Singer ps = new Singer(p, new Room(1.0, 0, 2000), path[0], path[1]);
            Singer xs = new Singer(x, new Room(0.3, 0.9, 2000), path[0], path[1]);
            double[] free = TwoSingerLoop.levelDb(TwoSingerLoop.run(ps, xs, CLOSE_AT, false).listenerMix(), 2000);
            Singer xStable = new Singer(x, new Room(0.3, 0.6, 2000), path[0], path[1]);
            double[] stable = TwoSingerLoop.levelDb(TwoSingerLoop.run(ps, xStable, CLOSE_AT, false).listenerMix(), 2000);
            TwoSingerLoop.Run guarded = TwoSingerLoop.run(ps, xs, CLOSE_AT, true);
            double[] cut = TwoSingerLoop.levelDb(guarded.listenerMix(), 2000);

            double stableLoudest = max(stable, CLOSE_AT / BLOCK, stable.length);
            int onset = -1;
            for (int w = CLOSE_AT / BLOCK; w < free.length && onset < 0; w++) {
                if (free[w] > stableLoudest + 10) {
                    onset = w;
                }
            }
            long caughtMs = guarded.firstCutSample() < 0 ? -1 : (guarded.firstCutSample() - CLOSE_AT) / 48;
            int onsetMs = onset < 0 ? -1 : (onset * BLOCK - CLOSE_AT) / 48;
            double loudest = max(cut, CLOSE_AT / BLOCK, cut.length) - stableLoudest;
            double least = 200;
            for (int w = onset + 30; onset >= 0 && w + 10 <= free.length && w < onset + 230; w += 10) {
                least = Math.min(least, max(free, w, w + 10) - max(cut, w, w + 10));
            }
            System.out.printf("loop_guard %d %d %d %d %.1f %.1f %d %d %.0f%n", rtt, onsetMs, caughtMs, caughtMs - onsetMs,
                    loudest, least, guarded.a().loopCutsMade(), guarded.b().loopCutsMade(),
                    guarded.b().lastLoopCutHz());
            assertThat(onset).as("rtt %d: the loop howls without control", rtt).isPositive();
            assertThat(guarded.firstCutSample()).as("rtt %d: nothing cut before the loop closed", rtt)
                    .isGreaterThan(CLOSE_AT);
            assertThat(caughtMs - onsetMs).as("rtt %d: cut no later than 300 ms after the onset", rtt)
                    .isLessThanOrEqualTo(300);
            assertThat(least).as("rtt %d: 20 dB under the free loop from 0.3 to 2.3 s after its onset", rtt)
                    .isGreaterThanOrEqualTo(20);
            assertThat(loudest).as("rtt %d: never 6 dB over the stable room's loudest", rtt).isLessThan(6);
            // the loop is above 1 from about 1.88 to 2.11 kHz: cuts there, in either voice
            for (EchoControl c : new EchoControl[] {guarded.a(), guarded.b()}) {
                if (c.loopCutsMade() > 0) {
                    assertThat(c.lastLoopCutHz()).as("rtt %d: a cut where the loop is", rtt)
                            .isCloseTo(2000, org.assertj.core.data.Offset.offset(150.0));
                }
            }
        }
    }

    @Test
    void nothingIsCutWhenNoLoopReachesOne() {
        int len = RATE * 30;
        int runs = 0;
        long cuts = 0;
        double worst = 0;
        for (long seed = 1; seed <= 3; seed++) {
            float[] p = SingingSignal.generate(len, 330, 0.3f, seed);
            float[] x = SingingSignal.sustainedVowels(len, 220, 0.3f, seed + 20);
            Room speakers = new Room(1.0, 0, 2000);
            Room quiet = new Room(0.3, 0.4, 2000);
            Room[][] pairs = {
                {speakers, Room.headphones()},      // X on headphones, P's room returns everything
                {Room.headphones(), Room.headphones()},
                {quiet, quiet},                     // both on speakers, loop gain under 0.5
            };
            for (Room[] r : pairs) {
                for (int[] path : new int[][] {{20, 60}, {80, 250}}) {
                    TwoSingerLoop.Run run = TwoSingerLoop.run(new Singer(p, r[0], path[0], path[1]),
                            new Singer(x, r[1], path[0], path[1]), CLOSE_AT, true);
                    System.out.printf("no loop: seed %d rooms %s / %s path %s: highest loop gain %.3f, last %.3f at %.0f Hz,"
                            + " cuts %d%n", seed, r[0], r[1], java.util.Arrays.toString(path), run.guard().highestLoopGain(),
                            run.guard().lastLoopGain(),
                            run.guard().lastLoopHz(), run.guard().cuts());
                    worst = Math.max(worst, run.guard().highestLoopGain());
                    cuts += run.guard().cuts();
                    runs++;
                }
            }
        }
        System.out.printf("no loop over 1: %d runs of 30 s, %d cuts, highest loop gain measured %.3f%n", runs, cuts, worst);
        assertThat(cuts).as("cuts where no loop reaches 1").isZero();
    }

    static double max(double[] x, int from, int to) {
        double m = -200;
        for (int i = Math.max(0, from); i < Math.min(to, x.length); i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }
}
