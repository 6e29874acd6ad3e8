package org.duet.mixer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Issue #13's clapping singers, in simulated time (deterministic: no wall clock, so a loaded
 * machine cannot change the result). Two singers clap exactly on the clicks they hear, each with
 * its own fixed local delay, behind the #13 impairments applied in the simulation (this kernel
 * has no netem): A 10 +- 2 ms each way, B 60 +- 15 ms with 2 % loss; their clocks +350 ms and
 * -1200 ms off the server's, drifting +50 and -50 ppm. Both are calibrated at join. Then:
 * <ul>
 *   <li>leader/follower (A leads): in the listener mix each beat, A's clap and B's clap within
 *       2 ms of each other (p95);
 *   <li>live: A's and B's claps placed in the listener mix by capture time, within 2 ms (p95).
 * </ul>
 */
class SimulatedDuetTest {

    static final SimSinger.Profile A = new SimSinger.Profile("a", 10, 2, 0, 350, 50, 12, 50, 6000, true, 1);
    static final SimSinger.Profile B = new SimSinger.Profile("b", 60, 15, 2, -1200, -50, 25, 50, 8000, true, 2);

    /**
     * Three runs in one JVM. They differ by the mixer's own randomness (SSRCs, RTCP report times),
     * which moves where the beat falls in each mix's frames; that is what once made about half the
     * runs of a JVM fail here (a click's echo a frame early in what the simulated singer decoded,
     * and the follower's mix cursor stepping under claps still on their way: docs/sync.md).
     */
    @Test
    void clapsLineUpInTheListenerMix() {
        for (int run = 1; run <= RUNS; run++) {
            SimulatedDuet.Result r = SimulatedDuet.run(new SimulatedDuet.Scenario(A, B, 90, 20, 20));
            System.out.print(r.diagnostics());
            System.out.printf("run %d: leader/follower p95 %.3f ms over %d beats (%d missing a clap); live p95 %.3f ms"
                            + " over %d pairs; calibrated after %.0f / %.0f ms; loops %.1f / %.1f ms%n", run,
                    r.leaderFollowerP95Ms(), r.leaderFollowerErrorsMs().length / 3, r.beatsMissingAClapOrB(),
                    r.liveP95Ms(), r.liveErrorsMs().length, r.calibratedAfterMs()[0], r.calibratedAfterMs()[1],
                    r.loopMs()[0], r.loopMs()[1]);
            assertThat(r.calibratedAfterMs()).as("run %d: both calibrated at join", run).doesNotContain(Double.NaN);
            // #13: calibrated within 5 s of joining; both at once, measured 2.9 / 3.2 s (pings settle the clock).
            assertThat(java.util.Arrays.stream(r.calibratedAfterMs()).max().orElseThrow())
                    .as("run %d: both calibrated after joining, ms", run).isLessThanOrEqualTo(4_500);
            assertThat(r.leaderFollowerErrorsMs().length / 3).as("run %d: beats measured", run)
                    .isGreaterThanOrEqualTo(25);
            assertThat(r.liveErrorsMs().length).as("run %d: clap pairs measured", run).isGreaterThanOrEqualTo(25);
            // Per beat |A - beat|, |B - beat|, |A - B|: #13 asks for 2 ms p95.
            assertThat(r.leaderFollowerP95Ms()).as("run %d: leader/follower: beat, A, B, p95 ms", run)
                    .isLessThanOrEqualTo(2.0);
            assertThat(r.liveP95Ms()).as("run %d: live: A against B by capture time, p95 ms", run)
                    .isLessThanOrEqualTo(2.0);
        }
    }

    /**
     * Chrome sends audio SRs every 2.5-7.5 s, so a browser singer's media time is not mapped to its
     * clock for seconds. The page's clock pings (four a second from the start) are enough to begin:
     * the calibration records the voice where its arrivals put it, pinned there while the clicks
     * play, and the loop follows the voice when the first SR moves it by its transit. #13: both
     * calibrated within 5 s of joining (asserted 4.5 s), and the listener mix still within 2 ms p95.
     */
    @Test
    void chromeReportIntervalsDoNotDelayCalibration() {
        SimulatedDuet.Result r = SimulatedDuet.run(new SimulatedDuet.Scenario(A.withChromeReportInterval(),
                B.withChromeReportInterval(), 90, 20, 20));
        System.out.print(r.diagnostics());
        System.out.printf("Chrome SR intervals: leader/follower p95 %.3f ms over %d beats (%d missing a clap); live p95"
                        + " %.3f ms over %d pairs; calibrated after %.0f / %.0f ms; loops %.1f / %.1f ms%n",
                r.leaderFollowerP95Ms(), r.leaderFollowerErrorsMs().length / 3, r.beatsMissingAClapOrB(), r.liveP95Ms(),
                r.liveErrorsMs().length, r.calibratedAfterMs()[0], r.calibratedAfterMs()[1], r.loopMs()[0],
                r.loopMs()[1]);
        assertThat(r.calibratedAfterMs()).as("both calibrated at join").doesNotContain(Double.NaN);
        assertThat(java.util.Arrays.stream(r.calibratedAfterMs()).max().orElseThrow())
                .as("both calibrated after joining, ms").isLessThanOrEqualTo(4_500);
        assertThat(r.leaderFollowerErrorsMs().length / 3).as("beats measured").isGreaterThanOrEqualTo(25);
        assertThat(r.leaderFollowerP95Ms()).as("leader/follower: beat, A, B, p95 ms").isLessThanOrEqualTo(2.0);
        assertThat(r.liveP95Ms()).as("live: A against B by capture time, p95 ms").isLessThanOrEqualTo(2.0);
    }

    private static final int RUNS = 3;
}
