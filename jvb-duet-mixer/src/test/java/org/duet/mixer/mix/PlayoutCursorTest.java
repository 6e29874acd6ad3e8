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
}
