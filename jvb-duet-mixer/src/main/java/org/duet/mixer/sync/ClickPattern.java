package org.duet.mixer.sync;

import org.duet.mixer.mix.MixSource;

/**
 * The calibration click pattern: six short clicks at uneven intervals (300, 420, 360, 480,
 * 330 ms), so no shift of the pattern by whole intervals matches it again. Played into one
 * singer's mix from a server position; found again in that singer's returned audio by
 * {@link ClickTrainDetector}.
 *
 * <p>A click always leaves. A media loop that fell far behind skips ticks (engine/MediaLoop: the
 * read position jumps ahead with the stream's timestamps), and a click at a position it skipped
 * would never be read: on a loaded 2-core machine the mixer sent 0 to 3 of 6 clicks per train and
 * every calibration was refused. So a click whose place was skipped is played at the first position
 * read after the gap, at least {@link #MIN_GAP_SAMPLES} after the click before it, and
 * {@link #clickPosition} says where each click actually is (the calibration looks for them there).
 * The positions are decided by the reads, in order: one output reads a pattern.
 */
public final class ClickPattern implements MixSource {

    /** Click onsets, samples after the pattern's start. */
    public static final int[] OFFSETS = {0, 14_400, 34_560, 51_840, 74_880, 90_720};
    public static final int LENGTH = OFFSETS[OFFSETS.length - 1] + 4_800;
    /** 1.5 ms Hann-windowed 2.5 kHz burst: short and clear through Opus and loudspeakers. */
    public static final int CLICK_SAMPLES = 72;
    public static final double CLICK_HZ = 2500;

    /** A click moved by a skipped tick stays at least this far after the one before it: 100 ms. */
    public static final int MIN_GAP_SAMPLES = 4_800;

    private long start = Long.MIN_VALUE;
    /** Where each click was played (Long.MIN_VALUE: not yet). */
    private final long[] playedAt = new long[OFFSETS.length];

    /** Whether the pattern plays (stopped, {@link #clickPosition} still tells where the clicks were). */
    private boolean playing;

    public void startAt(long position) {
        start = position;
        playing = true;
        java.util.Arrays.fill(playedAt, Long.MIN_VALUE);
    }

    /**
     * Where click {@code i} is: where it was played, or, not played yet, the earliest it can be
     * (its own place, or {@link #MIN_GAP_SAMPLES} after the click before it if that one moved).
     */
    public long clickPosition(int i) {
        if (playedAt[i] != Long.MIN_VALUE) {
            return playedAt[i];
        }
        long at = start + OFFSETS[i];
        return i == 0 ? at : Math.max(at, clickPosition(i - 1) + MIN_GAP_SAMPLES);
    }

    /** How far click {@code i} was played after its own place (0 unless a skipped tick moved it). */
    public long movedBy(int i) {
        return clickPosition(i) - (start + OFFSETS[i]);
    }

    public void stop() {
        playing = false;
    }

    /** Where the last start put the first click (Long.MIN_VALUE: never started). */
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
        return !playing;
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        if (!playing) {
            return;
        }
        for (int i = 0; i < OFFSETS.length; i++) {
            long clickAt = clickPosition(i);
            if (playedAt[i] == Long.MIN_VALUE) {
                if (clickAt >= position + count) {
                    continue; // not yet
                }
                // due in this read, or its place was skipped: here
                clickAt = Math.max(clickAt, position);
                playedAt[i] = clickAt;
            }
            long from = Math.max(position, clickAt);
            long to = Math.min(position + count, clickAt + CLICK_SAMPLES);
            for (long p = from; p < to; p++) {
                out[outOff + (int) (p - position)] += gain * click((int) (p - clickAt));
            }
        }
    }
}
