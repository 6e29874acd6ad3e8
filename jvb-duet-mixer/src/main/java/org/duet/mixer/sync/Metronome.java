package org.duet.mixer.sync;

import org.duet.mixer.mix.MixSource;

/**
 * A metronome the server plays on the capture timeline: beat {@code k} starts at server position
 * {@code start + k * period} (sub-sample exact: the period is kept in fractional samples). The
 * first beat of each bar is accented (higher, louder); the count-in bars before the song are a
 * lower tone. Clicks are 3 ms Hann-windowed tone bursts: short, so the beat's position can be
 * measured to a fraction of a millisecond. Computed per sample, nothing stored; never waits.
 */
public final class Metronome implements MixSource {

    /** The click tones: normal beat, accented first beat of a bar, count-in. */
    public static final double BEAT_HZ = 1500;
    public static final double ACCENT_HZ = 2200;
    public static final double COUNT_IN_HZ = 1000;
    public static final int CLICK_SAMPLES = 144; // 3 ms

    private final double bpm;
    private final int beatsPerBar;
    private final boolean accent;
    private final int countInBars;
    private final double periodSamples;
    private long start = Long.MIN_VALUE;
    private long stopAt = Long.MAX_VALUE;

    public Metronome(double bpm, int beatsPerBar, boolean accent, int countInBars) {
        if (!(bpm >= 20 && bpm <= 400)) {
            throw new IllegalArgumentException("tempo must be 20-400 beats per minute");
        }
        if (beatsPerBar < 1 || beatsPerBar > 16) {
            throw new IllegalArgumentException("beats per bar must be 1-16");
        }
        if (countInBars < 0 || countInBars > 4) {
            throw new IllegalArgumentException("count-in must be 0-4 bars");
        }
        this.bpm = bpm;
        this.beatsPerBar = beatsPerBar;
        this.accent = accent;
        this.countInBars = countInBars;
        this.periodSamples = 48_000 * 60.0 / bpm;
    }

    /** Beat 0 (the first count-in beat, if any) at server position {@code position}. */
    public void startAt(long position) {
        start = position;
        stopAt = Long.MAX_VALUE;
    }

    public void stopAt(long position) {
        stopAt = position;
    }

    public long start() {
        return start;
    }

    public double periodSamples() {
        return periodSamples;
    }

    public double bpm() {
        return bpm;
    }

    public int beatsPerBar() {
        return beatsPerBar;
    }

    public boolean accent() {
        return accent;
    }

    public int countInBars() {
        return countInBars;
    }

    /** One click at {@code hz} (unit amplitude shape), as a template for finding beats in a recording. */
    public static float[] clickTemplate(double hz) {
        float[] t = new float[CLICK_SAMPLES];
        for (int i = 0; i < CLICK_SAMPLES; i++) {
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / CLICK_SAMPLES);
            t[i] = (float) (w * Math.sin(2 * Math.PI * hz * i / 48_000.0));
        }
        return t;
    }

    /** Server position of beat {@code k} (0 = first count-in beat), rounded to the sample. */
    public long beatPosition(long k) {
        return start + Math.round(k * periodSamples);
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
        long from = Math.max(position, start);
        long to = Math.min(position + count, stopAt);
        if (from >= to) {
            return;
        }
        // The beat whose click may cover 'from', then every later one up to 'to'.
        long k = (long) Math.floor((from - start - CLICK_SAMPLES) / periodSamples);
        k = Math.max(0, k);
        for (;; k++) {
            double beatAt = start + k * periodSamples;
            if (beatAt >= to) {
                break;
            }
            double hz;
            float amp;
            long countInBeats = (long) countInBars * beatsPerBar;
            if (k < countInBeats) {
                hz = COUNT_IN_HZ;
                amp = 0.5f;
            } else if (accent && (k - countInBeats) % beatsPerBar == 0) {
                hz = ACCENT_HZ;
                amp = 0.7f;
            } else {
                hz = BEAT_HZ;
                amp = 0.5f;
            }
            long first = (long) Math.ceil(beatAt);
            for (long p = Math.max(first, from); p < Math.min(first + CLICK_SAMPLES, to); p++) {
                double t = p - beatAt; // sub-sample exact
                double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / CLICK_SAMPLES);
                out[outOff + (int) (p - position)] += gain * amp * (float) (w * Math.sin(2 * Math.PI * hz * t / 48_000.0));
            }
        }
    }
}
