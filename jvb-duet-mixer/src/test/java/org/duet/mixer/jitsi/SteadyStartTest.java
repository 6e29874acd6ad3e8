package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SteadyStartTest {

    private static final long MS = 1_000_000L;

    /** Index of the first admitted frame of 10 ms frames sent at {@code sentMs[i]}. */
    private static int firstAdmitted(SteadyStart s, long[] sentMs) {
        for (int i = 0; i < sentMs.length; i++) {
            if (s.admit(5_000 * MS + sentMs[i] * MS, i * 480L)) {
                return i;
            }
        }
        return -1;
    }

    private static long[] steady(int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = i * 10L;
        }
        return t;
    }

    @Test
    void aSteadyStreamStartsAfterTwoHundredMilliseconds() {
        SteadyStart s = new SteadyStart();
        assertThat(firstAdmitted(s, steady(100))).isEqualTo(20);
        assertThat(s.held()).isEqualTo(20);
        assertThat(s.admit(10_000 * MS, 0)).as("once started, everything goes").isTrue();
    }

    @Test
    void aStallAfterTheFirstFrameHoldsTheStreamUntilItRunsSteadilyAgain() {
        // the first frame, then nothing for 337 ms, then frames on time (what the local stack showed)
        long[] t = steady(200);
        for (int i = 1; i < t.length; i++) {
            t[i] = Math.max(337, i * 10L);
        }
        SteadyStart s = new SteadyStart();
        int first = firstAdmitted(s, t);
        assertThat(t[first]).as("200 ms of steady frames after the stall").isGreaterThanOrEqualTo(337 + 200);
    }

    @Test
    void aStreamThatNeverSettlesStartsAnywayAfterASecondAndAHalf() {
        long[] t = new long[400];
        for (int i = 0; i < t.length; i++) {
            t[i] = i * 10L + (i % 15 == 0 ? 60 : 0); // a late frame every 150 ms
        }
        SteadyStart s = new SteadyStart();
        int first = firstAdmitted(s, t);
        assertThat(t[first]).isBetween(1_500L, 1_570L);
    }

    @Test
    void aTakenOverStreamIsNeverHeld() {
        assertThat(firstAdmitted(SteadyStart.startedAlready(), steady(10))).isZero();
    }
}
