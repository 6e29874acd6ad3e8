package org.duet.mixer.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.duet.mixer.mix.MixSource;
import org.junit.jupiter.api.Test;

/** The metronome on the capture timeline, and a source read shifted (how leader/follower delays it). */
class MetronomeTest {

    @Test
    void beatsSitOnTheirPositionsWithAccentAndCountIn() {
        Metronome m = new Metronome(90, 4, true, 1);
        m.startAt(1_000);
        float[] out = new float[48_000 * 6];
        m.mixInto(0, 1f, out, 0, out.length); // one call across many beats
        float[] chunked = new float[out.length];
        for (int p = 0; p < out.length; p += 480) { // tick by tick, as a mix reads it
            m.mixInto(p, 1f, chunked, p, Math.min(480, out.length - p));
        }
        assertThat(chunked).containsExactly(out);
        for (int k = 0; k < 8; k++) {
            long at = m.beatPosition(k);
            assertThat(at).isEqualTo(1_000 + Math.round(k * 32_000.0));
            assertThat(out[(int) at - 1]).as("silence before beat " + k).isEqualTo(0f);
            double hz = k < 4 ? Metronome.COUNT_IN_HZ : (k - 4) % 4 == 0 ? Metronome.ACCENT_HZ : Metronome.BEAT_HZ;
            assertThat(match(out, (int) at, hz)).as("beat " + k + " at " + hz + " Hz").isGreaterThan(0.95);
        }
    }

    @Test
    void stopsAndRefusesNonsense() {
        Metronome m = new Metronome(120, 3, false, 0);
        m.startAt(0);
        m.stopAt(30_000);
        float[] out = new float[96_000];
        m.mixInto(0, 1f, out, 0, out.length);
        assertThat(match(out, 24_000, Metronome.BEAT_HZ)).isGreaterThan(0.95);
        for (int i = 30_000; i < out.length; i++) {
            assertThat(out[i]).isEqualTo(0f);
        }
        assertThatThrownBy(() -> new Metronome(5, 4, true, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Metronome(90, 0, true, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Metronome(90, 4, true, 9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShiftedSourceReadsItsSourceLaterAndWaitsForItAccordingly() {
        Metronome m = new Metronome(90, 4, false, 0);
        m.startAt(10_000);
        ShiftedSource delayed = new ShiftedSource(m);
        delayed.setShift(-4_321); // the beat heard 4321 samples (90 ms) later
        float[] out = new float[48_000];
        delayed.mixInto(0, 1f, out, 0, out.length);
        assertThat(match(out, 14_321, Metronome.BEAT_HZ)).isGreaterThan(0.95);
        assertThat(out[14_320]).isEqualTo(0f);

        MixSource voice = new MixSource() {
            @Override
            public long completeThrough(long tickPosition) {
                return 100_000;
            }

            @Override
            public void mixInto(long position, float gain, float[] o, int off, int count) {
            }

            @Override
            public boolean isStale(long tickPosition) {
                return false;
            }
        };
        ShiftedSource later = new ShiftedSource(voice);
        later.setShift(9_600); // read 200 ms later: final 200 ms less far
        assertThat(later.completeThrough(0)).isEqualTo(90_400);
        assertThat(new ShiftedSource(m).completeThrough(0)).isEqualTo(Long.MAX_VALUE);
    }

    /** Normalised correlation of the click template at {@code hz} with {@code x} at {@code at}. */
    private static double match(float[] x, int at, double hz) {
        float[] t = Metronome.clickTemplate(hz);
        double dot = 0;
        double xe = 0;
        double te = 0;
        for (int i = 0; i < t.length; i++) {
            dot += x[at + i] * t[i];
            xe += x[at + i] * x[at + i];
            te += t[i] * t[i];
        }
        return dot / Math.sqrt(Math.max(xe * te, 1e-20));
    }
}
