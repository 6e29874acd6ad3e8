package org.duet.mixer.sync;

/**
 * What one singer's mix read, tick by tick: the position it read and its read delay then. The
 * follower sang along to what their mix read, so the listener mix, reading the follower's voice
 * for content position {@code q} some 100-300 ms later, must shift it by the read delay their mix
 * had when it read {@code q}, not by the delay it has now: when the mix's cursor steps (the
 * leader's jitter buffer changed its delay), the claps still on their way were sung to the old one.
 *
 * <p>A ring of the last {@link #TICKS} ticks, preallocated; owned by the media loop.
 */
final class ReadDelayHistory {

    /** 5 s of 10 ms ticks: far more than a singer's loop. */
    static final int TICKS = 512;

    private final long[] positions = new long[TICKS];
    private final long[] delays = new long[TICKS];
    private final int tickSamples;
    private int count;
    private int newest = -1;

    ReadDelayHistory(int tickSamples) {
        this.tickSamples = tickSamples;
    }

    /** This tick, the mix read from {@code position} with read delay {@code delay} (samples). */
    void record(long position, long delay) {
        if (count > 0 && positions[newest] == position) {
            delays[newest] = delay;
            return; // not reading (forwarding): nothing new
        }
        newest = (newest + 1) % TICKS;
        positions[newest] = position;
        delays[newest] = delay;
        count = Math.min(TICKS, count + 1);
    }

    /**
     * The read delay with which the mix read {@code position} (the newest read at or before it,
     * if that read covered it), else {@code fallback}: not read yet, or longer ago than the ring.
     */
    long delayAt(long position, long fallback) {
        for (int n = 0, i = newest; n < count; n++, i = (i - 1 + TICKS) % TICKS) {
            if (positions[i] <= position) {
                return position - positions[i] < tickSamples ? delays[i] : fallback;
            }
        }
        return fallback;
    }

    void clear() {
        count = 0;
        newest = -1;
    }
}
