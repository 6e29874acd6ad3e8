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
     * Runs with three seeds of the mixer's own randomness (SSRCs, RTCP report times, where the run
     * starts against the Unix second), which move where the beat, the clicks and the reports fall in
     * each mix's frames and on the singers' lossy paths. Every seed gives the same figures on every
     * machine. Seed 46 loses B's sixth calibration click on B's 2 % loss path at join: refused and
     * retried until 2026-12-02 (calibrated after 8.44 s, a CI failure; 2 of 150 seeds), now measured
     * on the five that came back. {@code -Dduet.sim.seeds=1-40} sweeps more seeds and prints the spread.
     */
    @Test
    void clapsLineUpInTheListenerMix() {
        long[] seeds = seeds(System.getProperty("duet.sim.seeds", "1,2,46"));
        double[] slowest = new double[seeds.length];
        double[] lfP95 = new double[seeds.length];
        double[] liveP95 = new double[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            long seed = seeds[i];
            SimulatedDuet.Result r = SimulatedDuet.run(new SimulatedDuet.Scenario(A, B, 90, 20, 20).withMixerSeed(seed));
            System.out.print(r.diagnostics());
            System.out.printf("seed %d: leader/follower p95 %.3f ms over %d beats (%d missing a clap); live p95 %.3f ms"
                            + " over %d pairs; calibrated after %.0f / %.0f ms; loops %.1f / %.1f ms%n", seed,
                    r.leaderFollowerP95Ms(), r.leaderFollowerErrorsMs().length / 3, r.beatsMissingAClapOrB(),
                    r.liveP95Ms(), r.liveErrorsMs().length, r.calibratedAfterMs()[0], r.calibratedAfterMs()[1],
                    r.loopMs()[0], r.loopMs()[1]);
            slowest[i] = java.util.Arrays.stream(r.calibratedAfterMs()).max().orElseThrow();
            lfP95[i] = r.leaderFollowerP95Ms();
            liveP95[i] = r.liveP95Ms();
            assertThat(r.calibratedAfterMs()).as("seed %d: both calibrated at join", seed).doesNotContain(Double.NaN);
            // #13: calibrated within 5 s of joining (asserted 4.5 s; both at once, about 3 s: pings settle the clock).
            assertThat(slowest[i]).as("seed %d: both calibrated after joining, ms", seed).isLessThanOrEqualTo(4_500);
            assertThat(r.leaderFollowerErrorsMs().length / 3).as("seed %d: beats measured", seed)
                    .isGreaterThanOrEqualTo(25);
            assertThat(r.liveErrorsMs().length).as("seed %d: clap pairs measured", seed).isGreaterThanOrEqualTo(25);
            // Per beat |A - beat|, |B - beat|, |A - B|: #13 asks for 2 ms p95.
            assertThat(r.leaderFollowerP95Ms()).as("seed %d: leader/follower: beat, A, B, p95 ms", seed)
                    .isLessThanOrEqualTo(2.0);
            assertThat(r.liveP95Ms()).as("seed %d: live: A against B by capture time, p95 ms", seed)
                    .isLessThanOrEqualTo(2.0);
        }
        System.out.printf("over %d seeds: both calibrated after %s ms; leader/follower p95 %s ms; live p95 %s ms%n",
                seeds.length, spread(slowest), spread(lfP95), spread(liveP95));
    }

    /** "1,2,46" or "1-40". */
    private static long[] seeds(String spec) {
        if (spec.contains("-")) {
            String[] ends = spec.split("-");
            return java.util.stream.LongStream.rangeClosed(Long.parseLong(ends[0].trim()), Long.parseLong(ends[1].trim()))
                    .toArray();
        }
        return java.util.Arrays.stream(spec.split(",")).mapToLong(x -> Long.parseLong(x.trim())).toArray();
    }

    private static String spread(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        return String.format(java.util.Locale.ROOT, "min %.3f / median %.3f / max %.3f", s[0], s[s.length / 2],
                s[s.length - 1]);
    }

    /**
     * Other draws of the #13 profile's paths (opt-in: {@code -Dduet.sim.path-seeds=40} runs path seeds
     * k = 1..40, {@code =9-16} k = 9..16, A's and B's profile seeds + 1000 k): prints when each singer was calibrated and every
     * refusal of the runs later than #13's 5 s (a tool: nothing asserted; see docs/sync.md).
     */
    @Test
    void otherPathSeeds() {
        String spec = System.getProperty("duet.sim.path-seeds", "0");
        org.junit.jupiter.api.Assumptions.assumeTrue(!"0".equals(spec), "opt-in: -Dduet.sim.path-seeds=N (or from-to)");
        long[] ks = spec.contains("-") ? seeds(spec) : seeds("1-" + spec);
        int n = ks.length;
        int late = 0;
        StringBuilder lateOnes = new StringBuilder();
        for (long k : ks) {
            SimulatedDuet.Result r = SimulatedDuet.run(new SimulatedDuet.Scenario(A.withSeed(A.seed() + 1000L * k),
                    B.withSeed(B.seed() + 1000L * k), 90, 10, 5));
            double slowest = java.util.Arrays.stream(r.calibratedAfterMs()).max().orElseThrow();
            System.out.printf("path seed %d: calibrated after %.0f / %.0f ms; leader/follower p95 %.3f ms%n", k,
                    r.calibratedAfterMs()[0], r.calibratedAfterMs()[1], r.leaderFollowerP95Ms());
            if (!(slowest <= 5_000)) {
                late++;
                lateOnes.append(' ').append(k);
                System.out.print(r.diagnostics());
            }
        }
        System.out.printf("path seeds: %d of %d calibrated later than 5 s or never:%s%n", late, n, lateOnes);
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

}
