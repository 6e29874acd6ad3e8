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

    /** A returned voice of faint noise. */
    private static Returned noise() {
        Returned voice = new Returned();
        Random noise = new Random(1);
        for (int i = 0; i < voice.audio.length; i++) {
            voice.audio[i] = 0.002f * (float) noise.nextGaussian();
        }
        return voice;
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
        return run(c, voice, skipFrom, skipTo, -1);
    }

    /**
     * As {@link #run(LatencyCalibration, Returned, long, long)}; with {@code clapLoop} >= 0 the singer
     * claps on each click where the mix played it, that many samples later.
     */
    private static long run(LatencyCalibration c, Returned voice, long skipFrom, long skipTo, int clapLoop) {
        c.start(START);
        ClickPattern played = (ClickPattern) c.clicks();
        boolean[] clapped = new boolean[ClickPattern.OFFSETS.length];
        float[] mix = new float[(int) TICK];
        long steps = 0;
        for (long tick = START - 4_800; tick < START + 400_000; tick += TICK) {
            long read = tick - TICK;
            boolean skipped = read - START >= skipFrom && read - START < skipTo;
            if (!skipped) {
                java.util.Arrays.fill(mix, 0f);
                c.clicks().mixInto(read, 1f, mix, 0, mix.length);
                c.noteSent(mix, read, mix.length, 0, steps);
                for (int k = 0; k < clapped.length && clapLoop >= 0; k++) {
                    long at = played.clickPosition(k);
                    if (!clapped[k] && at >= read && at < read + TICK) {
                        clapped[k] = true;
                        voice.click(at + clapLoop);
                    }
                }
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
    void clicksWhosePlaceTheLoopSkippedArePlayedRightAfterTheGapAndMeasuredThere() {
        // The loop skipped the ticks of clicks 1 and 2 (0-400 ms): both are played after the gap, 100 ms
        // apart, and the singer claps on all six where they heard them.
        Returned voice = noise();
        LatencyCalibration c = new LatencyCalibration();
        run(c, voice, 0, 48 * 400, 7_213);
        ClickPattern played = (ClickPattern) c.clicks();
        assertThat(c.state()).as(c.outcome().message()).isEqualTo(LatencyCalibration.State.DONE);
        assertThat(c.outcome().message()).isEqualTo("calibrated");
        assertThat(c.outcome().loopMs()).isCloseTo(150.27, org.assertj.core.data.Offset.offset(1.0));
        assertThat(played.movedBy(0)).isEqualTo(48 * 400);
        assertThat(played.movedBy(1)).isEqualTo(48 * 500 - ClickPattern.OFFSETS[1]);
        assertThat(played.movedBy(2)).isZero();

        // A whole second skipped (clicks 1 to 3, and click 4 is then held 100 ms after click 3): all six
        // still leave, and the train is measured where they were played.
        Returned voice2 = noise();
        LatencyCalibration d = new LatencyCalibration();
        run(d, voice2, 0, 48 * 1000, 7_213);
        assertThat(d.state()).as(d.outcome().message()).isEqualTo(LatencyCalibration.State.DONE);
        assertThat(d.mixerFellBehind()).isFalse();
        assertThat(d.outcome().loopMs()).isCloseTo(150.27, org.assertj.core.data.Offset.offset(1.0));
        assertThat(((ClickPattern) d.clicks()).movedBy(3)).isEqualTo(48 * 1300 - ClickPattern.OFFSETS[3]);

        // A singer who claps where the clicks were meant to be, not where they were played, is refused.
        Returned voice3 = noise();
        for (int offset : ClickPattern.OFFSETS) {
            voice3.click(START + offset + 7_213);
        }
        LatencyCalibration f = new LatencyCalibration();
        run(f, voice3, 0, 48 * 400);
        assertThat(f.state()).isEqualTo(LatencyCalibration.State.FAILED);

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
