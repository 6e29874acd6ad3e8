package org.duet.mixer.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.mix.MixSource;
import org.junit.jupiter.api.Test;

/**
 * The follower's voice in the listener mix is shifted by the read delay their own mix had when it
 * read what they sang along to: a step of their mix's cursor moves only the content read after it.
 */
class FollowerVoiceTest {

    /** A voice that records where it was read from. */
    private static final class Probe implements MixSource {
        long lastRead = Long.MIN_VALUE;

        @Override
        public long completeThrough(long tickPosition) {
            return 1_000_000;
        }

        @Override
        public void mixInto(long position, float gain, float[] out, int outOff, int count) {
            lastRead = position;
        }

        @Override
        public boolean isStale(long tickPosition) {
            return false;
        }
    }

    @Test
    void theShiftFollowsTheReadDelayAtWhichTheContentWasHeard() {
        ReadDelayHistory reads = new ReadDelayHistory(480);
        // The follower's mix read 0, 480, ... with a 40 ms read delay, then stepped to 30 ms at 9600.
        for (long p = 0; p < 9_600; p += 480) {
            reads.record(p, 1_920);
        }
        for (long p = 9_600; p < 19_200; p += 480) {
            reads.record(p, 1_440);
        }
        Probe voice = new Probe();
        FollowerVoice v = new FollowerVoice(voice, reads);
        float[] out = new float[480];
        v.follow(6_000, 1_440); // round trip 125 ms; the read delay now is 30 ms
        v.mixInto(4_800, 1f, out, 0, 480); // sung to content heard with the old 40 ms delay
        assertThat(voice.lastRead).isEqualTo(4_800 + 6_000 + 1_920);
        assertThat(v.shift()).isEqualTo(7_920);
        // Waits as far ahead as the larger of the shifts in use.
        assertThat(v.completeThrough(0)).isEqualTo(1_000_000 - 7_920);
        v.mixInto(12_000, 1f, out, 0, 480); // heard after the step
        assertThat(voice.lastRead).isEqualTo(12_000 + 6_000 + 1_440);
        v.mixInto(19_200, 1f, out, 0, 480); // not read by their mix yet: the delay now
        assertThat(voice.lastRead).isEqualTo(19_200 + 6_000 + 1_440);
        v.mixInto(4_810, 1f, out, 0, 480); // within a read
        assertThat(voice.lastRead).isEqualTo(4_810 + 6_000 + 1_920);

        v.unshifted();
        v.mixInto(4_800, 1f, out, 0, 480);
        assertThat(voice.lastRead).isEqualTo(4_800);
        assertThat(v.shift()).isZero();
    }

    @Test
    void positionsOlderThanTheHistoryUseTheCurrentDelay() {
        ReadDelayHistory reads = new ReadDelayHistory(480);
        for (long i = 0; i < ReadDelayHistory.TICKS + 10; i++) {
            reads.record(i * 480, i < 20 ? 100 : 200);
        }
        assertThat(reads.delayAt(5 * 480, -1)).isEqualTo(-1); // overwritten in the ring
        assertThat(reads.delayAt((ReadDelayHistory.TICKS + 9) * 480L + 5, -1)).isEqualTo(200);
        assertThat(reads.delayAt((ReadDelayHistory.TICKS + 11) * 480L, -1)).isEqualTo(-1); // not read yet
    }
}
