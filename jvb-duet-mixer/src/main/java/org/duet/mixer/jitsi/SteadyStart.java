package org.duet.mixer.jitsi;

/**
 * Holds a new synthetic stream back until its producer runs steadily.
 *
 * <p>A browser's jitter buffer learns fastest from a stream's first packets: Chromium's NetEq gives
 * its first delay samples a large weight and forgets them over about a minute. A mixer's first
 * ticks for a new meeting can stall (class loading and compilation on a mixer that has not mixed
 * yet, a busy host): seen on the local Jitsi stack, a stream's second packet left 337 ms after its
 * first, and every browser then held that stream about 300 ms longer than the bridge's own streams
 * for the rest of the run. So frames are produced (numbered, timed) but not sent until they have
 * come on time, each within {@link #TOLERANCE_NANOS} of the best, for {@link #STEADY_NANOS}; a
 * stream that never settles starts anyway after {@link #MAX_HOLD_NANOS}. Media loop thread only.
 */
final class SteadyStart {

    static final long STEADY_NANOS = 200_000_000L;
    static final long TOLERANCE_NANOS = 30_000_000L;
    static final long MAX_HOLD_NANOS = 1_500_000_000L;

    private boolean started;
    private long firstNanos = Long.MIN_VALUE;
    private long steadySince;
    private long bestOffsetNanos;
    private long held;

    /** A stream that needs no holding back (a mixer taking over a stream a receiver already plays). */
    static SteadyStart startedAlready() {
        SteadyStart s = new SteadyStart();
        s.started = true;
        return s;
    }

    /** A frame produced at {@code nowNanos} with media time {@code samples48k}: may it be sent? */
    boolean admit(long nowNanos, long samples48k) {
        if (started) {
            return true;
        }
        long offset = nowNanos - samples48k * 1_000_000L / 48;
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = nowNanos;
            steadySince = nowNanos;
            bestOffsetNanos = offset;
        } else if (offset < bestOffsetNanos - TOLERANCE_NANOS) {
            // earlier than any frame so far: the ones before were late, so count again from here
            bestOffsetNanos = offset;
            steadySince = nowNanos;
        } else if (offset > bestOffsetNanos + TOLERANCE_NANOS) {
            steadySince = nowNanos; // a late frame: not steady yet
        } else {
            bestOffsetNanos = Math.min(bestOffsetNanos, offset);
        }
        if (nowNanos - steadySince >= STEADY_NANOS || nowNanos - firstNanos >= MAX_HOLD_NANOS) {
            started = true;
            return true;
        }
        held++;
        return false;
    }

    /** Frames held back before the stream started. */
    long held() {
        return held;
    }
}
