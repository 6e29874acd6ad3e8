package org.duet.bench.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.Chirp;
import org.duet.bench.signal.TestSignal;
import org.junit.jupiter.api.Test;

class CrossCorrelatorTest {

    @Test
    void findsAnInjectedClickAtItsExactSampleInNoiseAndTone() {
        float[] click = Chirp.make(48_000, 480, 1000, 4500, 0.3);
        Random rnd = new Random(7);
        float[] signal = new float[48_000];
        for (int i = 0; i < signal.length; i++) {
            signal[i] = (float) (0.1 * Math.sin(2 * Math.PI * 700 * i / 48_000.0) + 0.02 * rnd.nextGaussian());
        }
        int[] delays = {1234, 20_001, 33_333};
        for (int d : delays) {
            for (int i = 0; i < click.length; i++) {
                signal[d + i] += click[i];
            }
        }
        List<CrossCorrelator.Match> found = CrossCorrelator.findAll(signal, click, 0.5, 4800);
        assertThat(found).extracting(CrossCorrelator.Match::position).containsExactly(1234, 20_001, 33_333);
        assertThat(CrossCorrelator.best(signal, click, 19_000, 22_000).position()).isEqualTo(20_001);
    }

    @Test
    void upAndDownChirpsAreToldApartWhenTheyOverlap() {
        float[] up = Chirp.make(48_000, 480, 1000, 4500, 0.3);
        float[] down = Chirp.make(48_000, 480, 4500, 1000, 0.3);
        float[] mix = new float[9600];
        for (int i = 0; i < 480; i++) {
            mix[3000 + i] += up[i];
            mix[3100 + i] += down[i];
        }
        assertThat(CrossCorrelator.findAll(mix, up, 0.4, 2400)).extracting(CrossCorrelator.Match::position)
                .containsExactly(3000);
        assertThat(CrossCorrelator.findAll(mix, down, 0.4, 2400)).extracting(CrossCorrelator.Match::position)
                .containsExactly(3100);
    }

    @Test
    void aDelayThroughOpusIsRecoveredWithinOneSample() {
        // the same signal encoded twice, the second copy starting 357 samples later
        TestSignal sig = TestSignal.singerA(100, 25);
        short[] shifted = new short[sig.lengthSamples()];
        int shift = 357;
        System.arraycopy(sig.pcm(), 0, shifted, shift, sig.lengthSamples() - shift);
        float[] original = EncodedLoop.decodeFrames(EncodedLoop.encodeFrames(sig.pcm()));
        float[] delayed = EncodedLoop.decodeFrames(EncodedLoop.encodeFrames(shifted));
        CrossCorrelator.Match a = CrossCorrelator.findAll(original, sig.clickTemplate(), 0.6, 12_000).get(0);
        CrossCorrelator.Match b = CrossCorrelator.findAll(delayed, sig.clickTemplate(), 0.6, 12_000).get(0);
        assertThat(Math.abs((b.position() - a.position()) - shift)).isLessThanOrEqualTo(1);
    }
}
