package org.duet.mixer.dsp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BiquadTest {

    @Test
    void settlingAfterSilenceChangesNoOutputValueAndLeavesTheStateZero() {
        Biquad settled = new Biquad().lowPass(6500, 1.9319, 48_000);
        Biquad plain = new Biquad().lowPass(6500, 1.9319, 48_000);
        java.util.Random r = new java.util.Random(3);
        for (int block = 0; block < 400; block++) {
            boolean loud = block % 40 < 10; // 10 blocks of noise, then 30 of exact zeros
            settled.settleIfSilent();
            for (int i = 0; i < 480; i++) {
                float x = loud ? (float) r.nextGaussian() * 0.3f : 0f;
                // equal as numbers: the plain filter's decaying tail may round to -0.0 where the settled one gives 0.0
                float s = settled.process(x);
                float p = plain.process(x);
                assertThat(s == p).as("block %d sample %d: %s vs %s", block, i, s, p).isTrue();
            }
        }
        // the last 30 blocks were zeros: the settled filter's state is exactly 0, the plain one's is not
        settled.settleIfSilent();
        assertThat(settled.process(0f)).isZero();
    }
}
