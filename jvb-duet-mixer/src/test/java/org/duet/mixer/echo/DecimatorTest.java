package org.duet.mixer.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.duet.mixer.demo.SingingSignal;
import org.duet.mixer.dsp.Biquad;
import org.junit.jupiter.api.Test;

/**
 * The block form of the decimator's low-pass against the filter it stands for, two cascaded
 * biquads run on every sample: the same kept values to float precision, whatever the chunking and
 * the positions (jumps reset both), and digital silence stays exactly zero.
 */
class DecimatorTest {

    /** The reference: the two sections sample by sample, every 12th absolute position kept. */
    static final class Reference {
        final Biquad a = new Biquad().lowPass(1600, 0.5412, 48_000);
        final Biquad b = new Biquad().lowPass(1600, 1.3066, 48_000);
        final float[] ring = new float[16_384];
        final long[] stamp = new long[16_384];
        long next = Long.MIN_VALUE;

        Reference() {
            java.util.Arrays.fill(stamp, Long.MIN_VALUE);
        }

        void write(float[] x, int off, int n, long position) {
            if (position != next) {
                a.reset();
                b.reset();
            }
            for (int i = 0; i < n; i++) {
                float y = b.process(a.process(x[off + i]));
                long pos = position + i;
                if (Math.floorMod(pos, 12L) == 0) {
                    int slot = (int) Math.floorMod(pos / 12, (long) ring.length);
                    ring[slot] = y;
                    stamp[slot] = pos / 12;
                }
            }
            next = position + n;
        }
    }

    @Test
    void keepsTheSameValuesAsTheTwoSectionsSampleBySample() {
        float[] voice = SingingSignal.generate(48_000 * 6, 220, 0.4f, 5);
        Random r = new Random(7);
        Decimator d = new Decimator(16_384);
        Reference ref = new Reference();
        long position = 1_000_003L; // not on the grid
        double worst = 0;
        int compared = 0;
        for (int at = 0; at < voice.length; ) {
            int n = Math.min(voice.length - at, 1 + r.nextInt(1200)); // any chunk, not only 480 or 960
            if (r.nextInt(40) == 0) {
                position += 1 + r.nextInt(5000); // a gap: both start afresh
            }
            d.write(voice, at, n, position);
            ref.write(voice, at, n, position);
            at += n;
            position += n;
        }
        long end = d.end();
        assertThat(end).isEqualTo(Math.floorDiv(position - 1, 12) + 1);
        float[] got = new float[4000];
        int present = d.read(end - got.length, got, got.length);
        for (int i = 0; i < got.length; i++) {
            long dd = end - got.length + i;
            int slot = (int) Math.floorMod(dd, 16_384L);
            float want = ref.stamp[slot] == dd ? ref.ring[slot] : 0f;
            worst = Math.max(worst, Math.abs(got[i] - want));
            compared++;
        }
        System.out.printf("decimator: %d kept values (%d present), largest difference from the biquads %.2e%n",
                compared, present, worst);
        assertThat(present).isGreaterThan(3000);
        assertThat(worst).isLessThan(2e-6); // float precision of values up to about 0.5
    }

    @Test
    void digitalSilenceGivesExactZeros() {
        Decimator d = new Decimator(1024);
        float[] zeros = new float[960];
        for (int i = 0; i < 100; i++) {
            d.write(zeros, 0, 960, 5 + i * 960L);
        }
        float[] got = new float[80];
        d.read(d.end() - 80, got, 80);
        for (float v : got) {
            assertThat(v).isEqualTo(0f);
        }
    }
}
