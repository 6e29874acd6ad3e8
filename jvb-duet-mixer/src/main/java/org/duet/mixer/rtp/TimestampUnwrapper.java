package org.duet.mixer.rtp;

/**
 * Extends 32-bit RTP timestamps to a long timeline: each timestamp is placed at the distance from the
 * previous one that is shortest modulo 2^32, so wraps and reordering both land right. The first timestamp
 * maps to itself; earlier ones (reordered) map below it, possibly negative. Single-threaded.
 */
public final class TimestampUnwrapper {
    private long last;
    private boolean started;

    /** The extended value of {@code timestamp} (low 32 bits used). */
    public long unwrap(long timestamp) {
        long t = timestamp & 0xFFFF_FFFFL;
        if (!started) {
            started = true;
            last = t;
            return last;
        }
        last += (int) (t - (last & 0xFFFF_FFFFL));
        return last;
    }

    /** The extended value {@code timestamp} would get, without moving the reference. */
    public long peek(long timestamp) {
        if (!started) {
            return timestamp & 0xFFFF_FFFFL;
        }
        return last + (int) ((timestamp & 0xFFFF_FFFFL) - (last & 0xFFFF_FFFFL));
    }

    /** The most recently returned value, or -1 before the first call. */
    public long last() {
        return started ? last : -1;
    }

    public void reset() {
        started = false;
        last = 0;
    }
}
