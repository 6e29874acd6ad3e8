package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A synthetic stream's timestamps never run ahead of the wall clock (SyntheticStream.stepOnTheClock). */
class SyntheticStreamClockTest {

    @Test
    void ordinaryStepsAndBurstsKeepTheProducersTimestamps() {
        assertThat(SyntheticStream.stepOnTheClock(960, 960, 960)).isEqualTo(960);
        assertThat(SyntheticStream.stepOnTheClock(960, 0, 960)).as("a burst after a stall").isEqualTo(960);
        assertThat(SyntheticStream.stepOnTheClock(9600, 9600, 960)).as("skipped ticks, on the clock").isEqualTo(9600);
        assertThat(SyntheticStream.stepOnTheClock(480, 48_000, 480)).as("lost frames leave a gap").isEqualTo(480);
    }

    @Test
    void aStepFarAheadOfTheWallClockBecomesTheWallTime() {
        // the mixer that took a meeting over: its second frame 63 ms after the first, 2050 ms further on
        assertThat(SyntheticStream.stepOnTheClock(2050 * 48, 63 * 48, 480)).isEqualTo(60 * 48);
        assertThat(SyntheticStream.stepOnTheClock(48_000, 0, 960)).as("at least one frame").isEqualTo(960);
    }
}
