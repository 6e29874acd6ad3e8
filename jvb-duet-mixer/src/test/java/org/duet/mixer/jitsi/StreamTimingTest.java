package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StreamTimingTest {

    private static final long MS = 1_000_000L;

    @Test
    void aSteadyStreamNeverLags() {
        StreamTiming t = new StreamTiming("steady");
        for (int i = 0; i < 500; i++) {
            t.note(1_000 * MS + i * 20 * MS, i * 960L);
        }
        assertThat(t.maxLagMs()).isEqualTo(0.0);
        assertThat(t.lagMs()).isEqualTo(0.0);
    }

    @Test
    void aStallIsMeasuredFromTheBestTimingAndDated() {
        StreamTiming t = new StreamTiming("stalled");
        long now = 5_000 * MS;
        for (int i = 0; i < 300; i++) { // 6 s of 20 ms frames; frames 100-104 held up 120 ms and then burst out
            long sent = now + i * 20 * MS;
            if (i >= 100 && i < 106) {
                sent = now + 106 * 20 * MS;
            }
            t.note(sent, i * 960L);
        }
        assertThat(t.maxLagMs()).isCloseTo(120.0, within(0.01));
        assertThat(t.maxLagAtS()).isCloseTo(2.12, within(0.001));
        assertThat(t.lagMs()).isEqualTo(0.0);
    }

    @Test
    void aBacklogAtTheStartIsNoLag() {
        // a receiver's buffer measures each frame against the earliest seen so far: a start-up burst
        // only makes later frames the new best, it never makes them late
        StreamTiming t = new StreamTiming("backlog");
        long now = 0;
        for (int i = 0; i < 20; i++) {
            t.note(now + i * MS / 10, i * 960L);
        }
        for (int i = 20; i < 200; i++) {
            t.note(now + (i - 19) * 20 * MS, i * 960L);
        }
        assertThat(t.maxLagMs()).isLessThan(1.0);
    }
}
