package org.duet.mixer.sync;

import org.duet.mixer.mix.MixSource;

/**
 * A source read {@code shift} samples later (positive) or earlier than the output's position:
 * how one output hears a voice or the beat delayed against the others (leader/follower mode).
 * The shift may change between ticks (a new calibration); it is set on the loop thread.
 */
public final class ShiftedSource implements MixSource {

    private final MixSource inner;
    private volatile long shift; // written by the loop, read for stats

    public ShiftedSource(MixSource inner) {
        this.inner = inner;
    }

    /** Reading position {@code p} of this source reads {@code p + shift} of the inner one. */
    public void setShift(long samples) {
        this.shift = samples;
    }

    public long shift() {
        return shift;
    }

    public MixSource inner() {
        return inner;
    }

    @Override
    public long completeThrough(long tickPosition) {
        long c = inner.completeThrough(tickPosition);
        return c == Long.MAX_VALUE || c == Long.MIN_VALUE ? c : c - shift;
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        inner.mixInto(position + shift, gain, out, outOff, count);
    }

    @Override
    public boolean isStale(long tickPosition) {
        return inner.isStale(tickPosition);
    }
}
