package org.duet.mixer.sync;

import org.duet.mixer.mix.MixSource;

/**
 * The follower's voice as the listener mix reads it in leader/follower mode: content position
 * {@code q} (the leader's voice at {@code q}, the beat the leader sang to) is read from the
 * follower's voice at {@code q + loop}, where the loop is the follower's round trip (calibrated)
 * plus the read delay their own mix had when it read {@code q} ({@link ReadDelayHistory}): what
 * they heard then is what they sang along to, whatever their mix's cursor did since.
 *
 * <p>Set on the loop thread each tick; {@link #shift()} may be read from any thread (stats).
 */
final class FollowerVoice implements MixSource {

    private final MixSource voice;
    private final ReadDelayHistory reads;
    private boolean active;
    private long roundTrip;
    private long currentDelay;
    private volatile long shift;

    FollowerVoice(MixSource voice, ReadDelayHistory reads) {
        this.voice = voice;
        this.reads = reads;
    }

    /** Shift by the follower's loop: {@code roundTrip} plus their mix's read delay at each position. */
    void follow(long roundTrip, long currentDelay) {
        this.active = true;
        this.roundTrip = roundTrip;
        this.currentDelay = currentDelay;
    }

    /** No shift (live mode, or not calibrated yet). */
    void unshifted() {
        this.active = false;
        this.shift = 0;
    }

    /** The shift last used, samples. */
    long shift() {
        return shift;
    }

    private long shiftAt(long position) {
        return active ? roundTrip + reads.delayAt(position, currentDelay) : 0;
    }

    @Override
    public long completeThrough(long tickPosition) {
        long c = voice.completeThrough(tickPosition);
        long s = active ? roundTrip + currentDelay : 0;
        return c == Long.MAX_VALUE || c == Long.MIN_VALUE ? c : c - Math.max(s, shift);
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        long s = shiftAt(position);
        shift = s;
        voice.mixInto(position + s, gain, out, outOff, count);
    }

    @Override
    public boolean isStale(long tickPosition) {
        return voice.isStale(tickPosition);
    }
}
