package org.duet.mixer.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.duet.mixer.mix.MixSource;
import org.junit.jupiter.api.Test;

/**
 * A calibration over a returned voice, tick by tick: a clean train is measured; when nothing
 * click-like comes back (silence, a steady tone, a fake microphone's beeps) it ends as soon as the
 * first three clicks' return windows are recorded, with a message the page shows, instead of
 * keeping the singer on clicks alone for the whole window.
 */
class LatencyCalibrationTest {

    private static final int START = 48_000;
    private static final int TICK = 480;

    /** The singer's returned voice, by capture position. */
    private static final class Returned implements MixSource {
        final float[] audio = new float[START + 400_000];

        @Override
        public long completeThrough(long tickPosition) {
            return tickPosition;
        }

        @Override
        public void mixInto(long position, float gain, float[] out, int outOff, int count) {
            for (int i = 0; i < count; i++) {
                long p = position + i;
                if (p >= 0 && p < audio.length) {
                    out[outOff + i] += gain * audio[(int) p];
                }
            }
        }

        @Override
        public boolean isStale(long tickPosition) {
            return false;
        }

        void click(long at) {
            for (int i = 0; i < ClickPattern.CLICK_SAMPLES; i++) {
                audio[(int) at + i] += 0.5f * ClickPattern.click(i);
            }
        }
    }

    /** Runs a calibration until it ends; returns the returned audio's final position then, relative to its start. */
    private static long run(LatencyCalibration c, Returned voice) {
        return run(c, voice, -1, -1);
    }

    /**
     * As {@link #run(LatencyCalibration, Returned)}, with the singer's mix (read delay 0) reading the
     * clicks each tick, except the ticks in [{@code skipFrom}, {@code skipTo}) (positions relative to
     * the start), which a starved media loop skipped.
     */
    private static long run(LatencyCalibration c, Returned voice, long skipFrom, long skipTo) {
        c.start(START);
        float[] mix = new float[(int) TICK];
        long steps = 0;
        for (long tick = START - 4_800; tick < START + 400_000; tick += TICK) {
            long read = tick - TICK;
            boolean skipped = read - START >= skipFrom && read - START < skipTo;
            if (!skipped) {
                java.util.Arrays.fill(mix, 0f);
                c.clicks().mixInto(read, 1f, mix, 0, mix.length);
                c.noteSent(mix, read, mix.length, 0, steps);
            } else {
                steps++;
            }
            if (c.tick(voice, tick - TICK, tick, 0, 0)) {
                return tick - TICK - START;
            }
        }
        throw new AssertionError("the calibration never ended");
    }

    @Test
    void clicksTheMixNeverSentAreNotLookedForAndTooFewAreAClearRefusal() {
        Returned voice = new Returned();
        Random noise = new Random(1);
        for (int i = 0; i < voice.audio.length; i++) {
            voice.audio[i] = 0.002f * (float) noise.nextGaussian();
        }
        // The loop skipped the ticks of clicks 1 and 2 (0-400 ms): the singer heard 3 to 6 only.
        for (int k = 2; k < ClickPattern.OFFSETS.length; k++) {
            voice.click(START + ClickPattern.OFFSETS[k] + 7_213);
        }
        LatencyCalibration c = new LatencyCalibration();
        run(c, voice, 0, 48 * 400);
        assertThat(c.state()).as(c.outcome().message()).isEqualTo(LatencyCalibration.State.DONE);
        assertThat(c.outcome().loopMs()).isCloseTo(150.27, org.assertj.core.data.Offset.offset(1.0));

        // Clicks 1 to 3 skipped: three left, too few to tell the train; no "not heard back" verdict.
        LatencyCalibration d = new LatencyCalibration();
        run(d, voice, 0, 48 * 1000);
        assertThat(d.state()).isEqualTo(LatencyCalibration.State.FAILED);
        assertThat(d.mixerFellBehind()).isTrue();
        assertThat(d.notHeardBack()).isFalse();
        assertThat(d.outcome().message()).contains("only 3 of 6 clicks left the mixer", "fell behind");

        // Clicks 1 and 2 sent, the loop skipped ticks later, and nothing came back: "not heard back"
        // still ends it early (a singer who does not clap gets their partner back at once).
        Returned silent = new Returned();
        LatencyCalibration e = new LatencyCalibration();
        long ended = run(e, silent, 48 * 600, 48 * 700);
        assertThat(e.notHeardBack()).isTrue();
        assertThat(ended).isLessThanOrEqualTo(LatencyCalibration.FIRST_THREE_RETURNED + TICK);
    }

    /**
     * One lost packet takes a click or its clap: with click 1's or click 2's clap lost, a singer who
     * claps was told "not heard back" (never retried) in a simulated duet on #13's 2 % loss path.
     * The first three clicks are judged by pairs, and the train is measured on the other five.
     */
    @Test
    void aSingerWhoseFirstOrSecondClapWasLostIsCalibratedNotToldNothingCameBack() {
        for (int lost = 0; lost < 3; lost++) {
            Returned voice = new Returned();
            Random noise = new Random(1);
            for (int i = 0; i < voice.audio.length; i++) {
                voice.audio[i] = 0.002f * (float) noise.nextGaussian();
            }
            for (int k = 0; k < ClickPattern.OFFSETS.length; k++) {
                if (k != lost) {
                    voice.click(START + ClickPattern.OFFSETS[k] + 7_213); // a 150.27 ms loop
                }
            }
            LatencyCalibration c = new LatencyCalibration();
            run(c, voice);
            assertThat(c.notHeardBack()).as("click %d lost", lost + 1).isFalse();
            assertThat(c.state()).as(c.outcome().message()).isEqualTo(LatencyCalibration.State.DONE);
            assertThat(c.outcome().message()).isEqualTo("calibrated on 5 of 6 clicks (one was lost on the way)");
            assertThat(c.outcome().loopMs()).isCloseTo(150.27, org.assertj.core.data.Offset.offset(1.0));
        }
    }

    @Test
    void aCleanTrainIsMeasured() {
        Returned voice = new Returned();
        Random noise = new Random(1);
        for (int i = 0; i < voice.audio.length; i++) {
            voice.audio[i] = 0.002f * (float) noise.nextGaussian();
        }
        for (int offset : ClickPattern.OFFSETS) {
            voice.click(START + offset + 7_213); // a 150.27 ms loop
        }
        LatencyCalibration c = new LatencyCalibration();
        run(c, voice);
        assertThat(c.state()).isEqualTo(LatencyCalibration.State.DONE);
        assertThat(c.outcome().loopMs()).isCloseTo(150.27, org.assertj.core.data.Offset.offset(1.0));
        assertThat(c.notHeardBack()).isFalse();
    }

    @Test
    void silenceAToneAndBeepsEndAsSoonAsTheFirstTwoClicksCouldHaveComeBack() {
        Returned silent = new Returned();
        Returned tone = new Returned();
        Returned beeps = new Returned();
        for (int i = 0; i < tone.audio.length; i++) {
            tone.audio[i] = 0.3f * (float) Math.sin(2 * Math.PI * 440 * i / 48_000.0);
        }
        for (int at = 0; at + 960 < beeps.audio.length; at += 48_000 / 2) { // a 20 ms beep every 500 ms
            for (int i = 0; i < 960; i++) {
                beeps.audio[at + i] = 0.3f * (float) Math.sin(2 * Math.PI * 1000 * i / 48_000.0);
            }
        }
        for (Returned voice : new Returned[] {silent, tone, beeps}) {
            LatencyCalibration c = new LatencyCalibration();
            long endedAt = run(c, voice);
            System.out.printf("not heard back: ended %.0f ms after the first click (window %.0f ms)%n", endedAt / 48.0,
                    (ClickPattern.LENGTH + LatencyCalibration.MAX_LOOP_SAMPLES) / 48.0);
            assertThat(c.state()).isEqualTo(LatencyCalibration.State.FAILED);
            assertThat(c.notHeardBack()).isTrue();
            assertThat(c.playing()).isFalse(); // the singer's partner is back in their mix
            assertThat(c.outcome().message()).startsWith("calibration failed: clicks not heard back");
            assertThat(endedAt).isLessThanOrEqualTo(LatencyCalibration.FIRST_THREE_RETURNED + TICK)
                    .isLessThan(ClickPattern.LENGTH + LatencyCalibration.MAX_LOOP_SAMPLES);
        }
    }

    @Test
    void aTrainWhoseSpacingIsStretchedIsNotTakenForNothing() {
        Returned voice = new Returned();
        long at = START + 9_600;
        for (int i = 0; i < ClickPattern.OFFSETS.length; i++) {
            // a receiver's jitter buffer stretching its playout: every click 30 ms later than the last spacing
            voice.click(at + ClickPattern.OFFSETS[i] + 48L * 30 * i);
        }
        LatencyCalibration c = new LatencyCalibration();
        run(c, voice);
        assertThat(c.notHeardBack()).isFalse(); // judged on the whole window (here: refused, clicks disagree)
        assertThat(c.outcome().message()).doesNotStartWith("calibration failed: clicks not heard back");
    }
}
