package org.duet.mixer.rtp;

/**
 * Extends 16-bit RTP sequence numbers to a monotonic long timeline. Each number is placed at the distance
 * from the previous one that is shortest modulo 2^16 (forward up to 32767, backward up to 32768), so wraps
 * at 65535 and reordering around a wrap both land right. The first number maps to itself; packets that
 * precede it (reordered) map below it, possibly negative. One instance per stream, single-threaded.
 */
public final class SequenceUnwrapper {
    private long last;
    private boolean started;

    /** The extended value of {@code seq} (low 16 bits used). */
    public long unwrap(int seq) {
        int s = seq & 0xFFFF;
        if (!started) {
            started = true;
            last = s;
            return last;
        }
        last += (short) (s - (int) (last & 0xFFFF));
        return last;
    }

    /** The extended value {@code seq} would get, without moving the reference. */
    public long peek(int seq) {
        if (!started) {
            return seq & 0xFFFF;
        }
        return last + (short) ((seq & 0xFFFF) - (int) (last & 0xFFFF));
    }

    /** The most recently returned value (reference for the next call), or -1 before the first call. */
    public long last() {
        return started ? last : -1;
    }

    /** Forgets the history; the next number maps to itself again. */
    public void reset() {
        started = false;
        last = 0;
    }
}
