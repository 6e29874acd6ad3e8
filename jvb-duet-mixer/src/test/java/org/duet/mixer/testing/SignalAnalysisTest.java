package org.duet.mixer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Why a steady backing tone "moved" between two seconds of a mix output on a loaded machine, and
 * the measure that does not: a 2 kHz tone at -12.04 dBFS read the way a mix output reads it when
 * its playout cursor steps (the read position jumps by a few samples, crossfaded over one 10 ms
 * tick, as MixOutput does) and when a packet is lost on the way (10 ms of nothing).
 */
class SignalAnalysisTest {

    private static final double HZ = 2000;
    private static final double LEVEL_DB = 20 * Math.log10(0.25);

    /** One second of the tone read from {@code start}, the read position stepping by {@code steps[i]} at {@code at[i]}. */
    private static float[] readWithSteps(int[] at, int[] steps, int[] gaps) {
        float[] x = new float[48_000];
        long offset = 0;
        int next = 0;
        for (int tick = 0; tick < 100; tick++) {
            long from = offset;
            if (next < at.length && tick * 480 >= at[next]) {
                offset += steps[next++];
            }
            for (int i = 0; i < 480; i++) {
                int n = tick * 480 + i;
                double now = 0.25 * Math.sin(2 * Math.PI * HZ * (n + offset) / 48_000.0);
                double before = 0.25 * Math.sin(2 * Math.PI * HZ * (n + from) / 48_000.0);
                double w = (i + 0.5) / 480;
                x[n] = (float) (from == offset ? now : before * (1 - w) + now * w);
            }
        }
        for (int g : gaps) {
            java.util.Arrays.fill(x, g, g + 480, 0f);
        }
        return x;
    }

    @Test
    void aCursorStepMovesTheHalfSecondMeasureAndNotTheShortOne() {
        float[] steady = readWithSteps(new int[0], new int[0], new int[0]);
        float[] stepped = readWithSteps(new int[] {24_000}, new int[] {6}, new int[0]); // 90 degrees, mid-second
        float[] busy = readWithSteps(new int[] {9_600, 24_000, 38_400}, new int[] {-480 - 7, 480 + 11, -4},
                new int[] {14_400, 33_600});
        double longSteady = SignalAnalysis.medianToneLevelDb(steady, 0, 48_000, HZ);
        double longStepped = SignalAnalysis.medianToneLevelDb(stepped, 0, 48_000, HZ);
        double longBusy = SignalAnalysis.medianToneLevelDb(busy, 0, 48_000, HZ);
        double shortSteady = SignalAnalysis.medianShortToneLevelDb(steady, 0, 48_000, HZ);
        double shortStepped = SignalAnalysis.medianShortToneLevelDb(stepped, 0, 48_000, HZ);
        double shortBusy = SignalAnalysis.medianShortToneLevelDb(busy, 0, 48_000, HZ);
        System.out.printf("tone_level_half_second_windows steady %.2f, one 6-sample step %.2f, three steps and two"
                + " lost packets %.2f dBFS%n", longSteady, longStepped, longBusy);
        System.out.printf("tone_level_40ms_windows steady %.2f, one 6-sample step %.2f, three steps and two lost"
                + " packets %.2f dBFS%n", shortSteady, shortStepped, shortBusy);
        assertThat(longSteady).isCloseTo(LEVEL_DB, org.assertj.core.data.Offset.offset(0.05));
        assertThat(shortSteady).isCloseTo(LEVEL_DB, org.assertj.core.data.Offset.offset(0.05));
        // the mechanism: one quarter-period step in the middle drags the half-second median down
        assertThat(longSteady - longStepped).as("half-second measure, dB lost to one step").isGreaterThan(0.5);
        assertThat(longSteady - longBusy).as("half-second measure, dB lost to three steps and two gaps").isGreaterThan(1.0);
        assertThat(shortSteady - shortStepped).as("40 ms measure, dB lost to one step").isLessThan(0.1);
        assertThat(shortSteady - shortBusy).as("40 ms measure, dB lost to three steps and two gaps").isLessThan(0.1);
    }

    /**
     * Why PlainRtpDuetTest read a singer's own voice 67-86 dB under the partner on a loaded machine
     * (a mix-minus cannot put it there): 4 s of the partner's 2500 Hz tone with a 50 ms gap every
     * 0.4 s (as the received stream had: RTP timestamps with nothing decoded in between) reads
     * under 90 dB at 330 Hz by the median, with no 330 Hz in it at all; the spectrum beside 330 Hz
     * reads the same. A 330 Hz leak 80 dB under the partner, gaps or not, fails the measure.
     */
    @Test
    void gapsSplatterEveryFrequencyALeakIsATone() {
        double partner = 0.3;
        float[] clean = new float[48_000 * 4];
        for (int n = 0; n < clean.length; n++) {
            clean[n] = (float) (partner * Math.sin(2 * Math.PI * 2500 * n / 48_000.0));
        }
        float[] gaps = clean.clone();
        for (int g = 9_000; g + 2_400 < gaps.length; g += 38_400) {
            java.util.Arrays.fill(gaps, g, g + 2_400, 0f);
        }
        float[] leak = clean.clone();
        float[] leakAndGaps = gaps.clone();
        double leakAmplitude = partner * Math.pow(10, -80 / 20.0);
        for (int n = 0; n < clean.length; n++) {
            float l = (float) (leakAmplitude * Math.sin(2 * Math.PI * 330 * n / 48_000.0));
            leak[n] += l;
            if (leakAndGaps[n] != 0) {
                leakAndGaps[n] += l;
            }
        }
        int len = clean.length;
        SignalAnalysis.OwnVoice c = SignalAnalysis.ownVoiceWhilePartnerHeard(clean, 0, len, 2500, 330);
        SignalAnalysis.OwnVoice g = SignalAnalysis.ownVoiceWhilePartnerHeard(gaps, 0, len, 2500, 330);
        SignalAnalysis.OwnVoice l = SignalAnalysis.ownVoiceWhilePartnerHeard(leak, 0, len, 2500, 330);
        SignalAnalysis.OwnVoice lg = SignalAnalysis.ownVoiceWhilePartnerHeard(leakAndGaps, 0, len, 2500, 330);
        System.out.printf("own voice: clean %s%ngaps %s%nleak -80 dB %s%nleak -80 dB and gaps %s%n", c, g, l, lg);

        assertThat(g.medianRejectionDb()).as("gaps alone, median over every window").isLessThan(90);
        assertThat(g.cleanWindows()).as("gaps alone, windows without a gap").isGreaterThan(0);
        assertThat(g.cleanRejectionDb()).as("gaps alone, median over the clean windows").isGreaterThanOrEqualTo(90);
        assertThat(c.cleanWindows()).isEqualTo(c.windows());
        assertThat(c.cleanRejectionDb()).isGreaterThanOrEqualTo(90);
        for (SignalAnalysis.OwnVoice leaked : new SignalAnalysis.OwnVoice[] {l, lg}) {
            assertThat(leaked.cleanWindows()).as("a leak 80 dB down leaves windows the measure can read").isGreaterThan(0);
            assertThat(leaked.cleanRejectionDb()).as("a leak, read in the clean windows").isBetween(79.0, 81.0);
        }
    }
}
