package org.duet.mixer.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.duet.mixer.sim.BurstFinder;
import org.duet.mixer.sim.SimSinger;
import org.duet.mixer.sim.SimulatedDuet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A take's backing file lines up with its mix file. Two calibrated singers (the simulated duet:
 * real room engine, simulated time) and a backing track of 3.5 kHz clicks; in live mode the
 * listener mix plays the beat at the singers' mean loop, so the backing track sits that much
 * later in the mix than its place on the server timeline. backing.opus must carry it at the same
 * place as mix.opus (before the fix it was a whole loop early). Every click is found in both
 * files, decoded.
 */
class BackingTrackTakeTest {

    static final SimSinger.Profile A = new SimSinger.Profile("a", 10, 2, 0, 350, 50, 12, 50, 6000, true, 1);
    static final SimSinger.Profile B = new SimSinger.Profile("b", 30, 5, 0, -1200, -50, 25, 50, 8000, true, 2);
    static final double CLICK_HZ = 3500;
    static final int CLICK_SAMPLES = 144;
    static final int PERIOD = 12_000; // a click every 250 ms
    static final int FIRST = 2_400; // after the player's 5 ms fade-in

    @TempDir
    Path dir;

    @Test
    void theBackingFileSitsWhereTheMixPlaysTheTrack() throws Exception {
        float[] track = new float[48_000 * 8];
        for (int at = FIRST; at + CLICK_SAMPLES < track.length; at += PERIOD) {
            for (int i = 0; i < CLICK_SAMPLES; i++) {
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / CLICK_SAMPLES);
                track[at + i] = (float) (0.5 * w * Math.sin(2 * Math.PI * CLICK_HZ * i / 48_000.0));
            }
        }
        SimulatedDuet.TakeRun run = SimulatedDuet.recordTake(new SimulatedDuet.Scenario(A, B, 90, 0, 0), dir, track, 5);
        assertThat(run.calibratedAfterMs()).as("both calibrated at join").doesNotContain(Double.NaN);
        assertThat(run.take().status()).isEqualTo(TakeInfo.DONE);
        double loopMs = run.listenerBeatDelayMs();
        // The case this test is about: the listener mix plays the beat a loop behind the timeline.
        assertThat(loopMs).as("listener beat delay, ms").isGreaterThan(20.0);

        OggOpusFiles.Contents backing = OggOpusFiles.read(run.takeDir().resolve("backing.opus"));
        OggOpusFiles.Contents mix = OggOpusFiles.read(run.takeDir().resolve("mix.opus"));
        assertThat(backing.decodeErrors() + mix.decodeErrors()).isZero();
        BurstFinder click = new BurstFinder(CLICK_HZ, CLICK_SAMPLES, false);
        long loop = Math.round(loopMs * 48);
        int found = 0;
        int damaged = 0;
        double worstPair = 0;
        double worstPlace = 0;
        // Where the first clicks are in each file, whatever the expectation (for a failing run's log).
        StringBuilder firsts = new StringBuilder();
        for (int w = 0; w < 3 * PERIOD && w + PERIOD < mix.audio().length; w += PERIOD) {
            BurstFinder.Found fm = click.find(mix.audio(), w, w + PERIOD - 1, 0.05);
            BurstFinder.Found fb = click.find(backing.audio(), w, w + PERIOD - 1, 0.05);
            firsts.append(String.format(java.util.Locale.ROOT, " [mix %.1f, backing %.1f]",
                    fm == null ? Double.NaN : fm.onset(), fb == null ? Double.NaN : fb.onset()));
        }
        System.out.printf("take_backing: backing track starts %d samples into the take, beat delay %d samples;"
                + " first clicks (samples)%s%n", run.backingStart() - run.takeStart(), loop, firsts);
        for (long k = 0; ; k++) {
            long at = run.backingStart() + FIRST + k * PERIOD + loop - run.takeStart(); // where the mix plays click k
            if (at + 2_000 > Math.min(mix.audio().length, backing.audio().length)) {
                break;
            }
            if (at < 4_800) {
                continue; // the mix reads behind real time: the take's first moments are silent in it
            }
            BurstFinder.Found inTrack = click.find(backing.audio(), (int) at - 960, (int) at + 960, 0.2);
            BurstFinder.Found inMix = click.find(mix.audio(), (int) at - 960, (int) at + 960, 0.2);
            assertThat(inTrack).as("click %d in the backing file near the mix's place", k).isNotNull();
            if (inMix == null || inMix.amplitude() < 0.4) {
                damaged++; // the mix stepped its read position across this click (it settles at the start)
                continue;
            }
            worstPair = Math.max(worstPair, Math.abs(inTrack.onset() - inMix.onset()));
            worstPlace = Math.max(worstPlace, Math.abs(inMix.onset() - at));
            found++;
        }
        System.out.printf("take_backing_vs_mix: %d clicks (%d more cut by a mix read step), listener beat delay %.1f ms,"
                + " backing file vs mix max %.3f ms, mix vs timeline+delay max %.3f ms%n", found, damaged, loopMs,
                worstPair / 48, worstPlace / 48);
        assertThat(found).as("clicks compared").isGreaterThanOrEqualTo(12);
        assertThat(damaged).as("clicks cut in the mix").isLessThanOrEqualTo(3);
        assertThat(worstPair / 48).as("backing file against mix file, ms").isLessThanOrEqualTo(1.0);
        assertThat(worstPlace / 48).as("mix against the timeline plus the beat delay, ms").isLessThanOrEqualTo(2.0);
    }
}
