package org.duet.mixer.sync;

import org.duet.mixer.mix.MixSource;

/**
 * The calibration click pattern: six short clicks at uneven intervals (300, 420, 360, 480,
 * 330 ms), so no shift of the pattern by whole intervals matches it again. Played into one
 * singer's mix from a server position; found again in that singer's returned audio by
 * {@link ClickTrainDetector}.
 */
public final class ClickPattern implements MixSource {

    /** Click onsets, samples after the pattern's start. */
    public static final int[] OFFSETS = {0, 14_400, 34_560, 51_840, 74_880, 90_720};
    public static final int LENGTH = OFFSETS[OFFSETS.length - 1] + 4_800;
    /** 1.5 ms Hann-windowed 2.5 kHz burst: short and clear through Opus and loudspeakers. */
    public static final int CLICK_SAMPLES = 72;
    public static final double CLICK_HZ = 2500;

    private long start = Long.MIN_VALUE;

    public void startAt(long position) {
        start = position;
    }

    public void stop() {
        start = Long.MIN_VALUE;
    }

    public long start() {
        return start;
    }

    /** One click's samples (for tests and for the detector's reference onset). */
    public static float click(int i) {
        if (i < 0 || i >= CLICK_SAMPLES) {
            return 0f;
        }
        double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (CLICK_SAMPLES - 1));
        return (float) (0.8 * w * Math.sin(2 * Math.PI * CLICK_HZ * i / 48_000.0));
    }

    @Override
    public long completeThrough(long tickPosition) {
        return Long.MAX_VALUE;
    }

    @Override
    public boolean isStale(long tickPosition) {
        return start == Long.MIN_VALUE;
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        if (start == Long.MIN_VALUE) {
            return;
        }
        for (int offset : OFFSETS) {
            long clickAt = start + offset;
            long from = Math.max(position, clickAt);
            long to = Math.min(position + count, clickAt + CLICK_SAMPLES);
            for (long p = from; p < to; p++) {
                out[outOff + (int) (p - position)] += gain * click((int) (p - clickAt));
            }
        }
    }
}
