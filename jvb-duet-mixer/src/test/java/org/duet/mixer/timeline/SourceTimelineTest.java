package org.duet.mixer.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceTimelineTest {

    @Test
    void readsBackWhatWasWrittenAtItsCapturePosition() {
        SourceTimeline t = new SourceTimeline(4096);
        float[] frame = ramp(480, 1f);
        t.write(1_000_000, frame, 0, 480);
        float[] out = new float[480];
        t.mixInto(1_000_000, 0.5f, out, 0, 480);
        for (int i = 0; i < 480; i++) {
            assertThat(out[i]).isEqualTo(0.5f * frame[i]);
        }
        assertThat(t.end()).isEqualTo(1_000_480);
    }

    @Test
    void unwrittenAndFuturePositionsReadAsSilence() {
        SourceTimeline t = new SourceTimeline(4096);
        t.write(100, ramp(10, 1f), 0, 10);
        t.write(200, ramp(10, 1f), 0, 10); // gap 110..200 must be silence
        float[] out = new float[300];
        t.mixInto(0, 1f, out, 0, 300);
        for (int i = 0; i < 300; i++) {
            boolean written = (i >= 100 && i < 110) || (i >= 200 && i < 210);
            if (!written) {
                assertThat(out[i]).as("position %d", i).isZero();
            }
        }
        assertThat(out[105]).isNotZero();
    }

    @Test
    void positionsOlderThanTheRingAreGoneNotAliased() {
        SourceTimeline t = new SourceTimeline(1024);
        int cap = t.capacity();
        t.write(0, ramp(cap, 1f), 0, cap);
        t.write(cap, ramp(cap, 2f), 0, cap);
        float[] out = new float[10];
        t.mixInto(5, 1f, out, 0, 10); // overwritten a full ring ago
        for (float v : out) {
            assertThat(v).isZero();
        }
        t.mixInto(cap + 5, 1f, out, 0, 10);
        assertThat(out[0]).isEqualTo(2f * 5 / cap);
    }

    @Test
    void writesAcrossTheRingBoundary() {
        SourceTimeline t = new SourceTimeline(1024);
        int cap = t.capacity();
        long pos = 10L * cap - 100;
        float[] frame = ramp(300, 1f);
        t.write(pos, frame, 0, 300);
        float[] out = new float[300];
        t.mixInto(pos, 1f, out, 0, 300);
        assertThat(out).containsExactly(frame);
    }

    private static float[] ramp(int n, float scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = scale * i / n;
        }
        return f;
    }
}
