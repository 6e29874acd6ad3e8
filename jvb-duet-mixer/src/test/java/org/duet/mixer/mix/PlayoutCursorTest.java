package org.duet.mixer.mix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlayoutCursorTest {

    private static final int TICK = 480;

    @Test
    void stepsBackAtOnceWhenATickWouldReadAudioNotYetFinal() {
        PlayoutCursor c = new PlayoutCursor(TICK, 48, 96, 100);
        long available = 100_000;
        long pos = c.next(available);
        assertThat(pos + TICK).isLessThanOrEqualTo(available);
        c.advance();
        // The source stalls for a tick: reading on would overrun what is final.
        long next = c.next(available);
        assertThat(c.jumped()).isTrue();
        assertThat(next + TICK).isLessThanOrEqualTo(available);
        assertThat(c.underruns()).isEqualTo(1);
    }

    @Test
    void skippedTicksMoveTheReadOnWithTheClockWithoutAStep() {
        PlayoutCursor c = new PlayoutCursor(TICK, 48, 96, 100);
        long available = 100_000;
        long pos = c.next(available);
        c.advance();
        c.skip(5); // the loop skipped five ticks; the sources moved on meanwhile
        long next = c.next(available + 6 * TICK);
        assertThat(next).isEqualTo(pos + 6 * TICK);
        assertThat(c.jumped()).isFalse();
        assertThat(c.steps()).isZero();
    }

    @Test
    void findsTheSmallestSafeDelayForTwentyMsPacketsAndTenMsTicks() {
        // Audio arrives in 20 ms lumps; ticks read 10 ms. The cursor must never overrun and should
        // settle within one packet plus the margin and hysteresis of the newest audio.
        PlayoutCursor c = new PlayoutCursor(TICK, 48, 96, 50);
        long serverPos = 0;
        long worstLag = 0;
        for (int tick = 0; tick < 2_000; tick++) {
            serverPos += TICK;
            long available = (serverPos / 960) * 960 - 960 * 3; // last whole 20 ms packet, 60 ms behind
            long pos = c.next(available);
            assertThat(pos + TICK).as("tick %d reads only final audio", tick).isLessThanOrEqualTo(available);
            if (tick > 500) {
                worstLag = Math.max(worstLag, available - pos);
            }
            c.advance();
        }
        assertThat(worstLag).isLessThanOrEqualTo(960 + TICK + 48 + 96);
        assertThat(c.underruns()).isLessThanOrEqualTo(2);
    }

    @Test
    void stepsForwardWhenSlackStaysSpareForAWindow() {
        PlayoutCursor c = new PlayoutCursor(TICK, 48, 96, 10);
        long available = 10_000;
        c.next(available);
        c.advance();
        // The source suddenly runs 50 ms further ahead and stays there.
        long jumpSeen = 0;
        for (int tick = 0; tick < 30; tick++) {
            available += TICK;
            long pos = c.next(available + 2_400);
            if (c.jumped()) {
                jumpSeen++;
                assertThat(available + 2_400 - (pos + TICK)).isLessThanOrEqualTo(48 + 96);
            }
            c.advance();
        }
        assertThat(jumpSeen).isEqualTo(1);
    }

    /**
     * A loaded path: audio arrives steadily but stalls for 40 ms every 0.7 s and then catches up at
     * once. With a one-window memory the cursor chases it both ways (forward by each quiet window's
     * slack, back at each stall); with a history of several windows it settles on the delay that
     * covers the stalls and stays there, and gives it back once the stalls have stopped.
     */
    @Test
    void settlesOnABurstyPathInsteadOfChasingIt() {
        int bursty = 2_000; // 20 s of stalls, then 10 s clean
        long[] stepsWithMemory = runBurstyPath(new PlayoutCursor(TICK, 48, 96, 50, 8), bursty, 3_000);
        long[] stepsWithoutMemory = runBurstyPath(new PlayoutCursor(TICK, 48, 96, 50, 1), bursty, 3_000);
        System.out.printf("bursty path: steps in the last 15 s of stalls %d with a 4 s memory, %d with 0.5 s;"
                + " delay after the stalls stopped %d -> %d samples%n",
                stepsWithMemory[0], stepsWithoutMemory[0], stepsWithMemory[1], stepsWithMemory[2]);
        assertThat(stepsWithoutMemory[0]).as("the one-window cursor chases the stalls").isGreaterThanOrEqualTo(20);
        assertThat(stepsWithMemory[0]).as("the cursor with memory settles").isLessThanOrEqualTo(2);
        assertThat(stepsWithMemory[2]).as("delay given back after the stalls stopped")
                .isLessThanOrEqualTo(48 + 96 + TICK);
    }

    /** Returns {steps after 5 s of stalls, delay at the last stall, delay at the end}. */
    private static long[] runBurstyPath(PlayoutCursor c, int burstyTicks, int totalTicks) {
        long served = 0;
        long stepsAfterSettling = 0;
        long delayAtLastStall = 0;
        long delay = 0;
        for (int tick = 0; tick < totalTicks; tick++) {
            long clock = (long) tick * TICK + 100_000;
            boolean stalled = tick < burstyTicks && tick % 70 >= 66; // 4 ticks of 10 ms
            if (!stalled) {
                served = clock; // everything up to now is final (a catch-up after a stall)
            }
            long pos = c.next(served);
            assertThat(pos + TICK).as("tick %d reads only final audio", tick).isLessThanOrEqualTo(served);
            if (c.jumped() && tick >= 500 && tick < burstyTicks) {
                stepsAfterSettling++;
            }
            delay = clock - pos;
            if (tick == burstyTicks - 1) {
                delayAtLastStall = delay;
            }
            c.advance();
        }
        return new long[] {stepsAfterSettling, delayAtLastStall, delay - TICK};
    }

    @Test
    void aHeldCursorDoesNotStepForwardButStillStepsBack() {
        PlayoutCursor c = new PlayoutCursor(TICK, 48, 96, 10);
        long available = 10_000;
        c.next(available);
        c.advance();
        c.holdForwardSteps(true);
        for (int tick = 0; tick < 30; tick++) { // 50 ms of spare slack for three windows: held
            available += TICK;
            c.next(available + 2_400);
            assertThat(c.jumped()).as("no forward step while held (tick %d)", tick).isFalse();
            c.advance();
        }
        long pos = c.next(available - 2 * TICK); // the source falls behind what the tick reads
        assertThat(c.jumped()).as("an underrun still steps back").isTrue();
        assertThat(pos + TICK).isLessThanOrEqualTo(available - 2 * TICK);
        c.advance();
        c.holdForwardSteps(false);
        int forward = 0;
        for (int tick = 0; tick < 30; tick++) {
            available += TICK;
            c.next(available + 2_400);
            forward += c.jumped() ? 1 : 0;
            c.advance();
        }
        assertThat(forward).as("released: the spare slack is given back").isEqualTo(1);
    }
}
