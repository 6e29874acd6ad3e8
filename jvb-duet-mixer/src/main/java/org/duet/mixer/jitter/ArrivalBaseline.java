package org.duet.mixer.jitter;

/**
 * Best-case (arrival time minus media time) of a stream: the offset a packet would show on an
 * ideal path. It drops at once when a packet proves the path faster, and rises at most
 * {@code slew} towards the minimum of the last window when the path (or the sender's clock)
 * drifts the other way. The window minimum is kept in 8 time buckets, so the cost is fixed and
 * nothing is allocated. The jitter buffer keeps one with a short memory (its deadlines follow
 * the path); the capture clock keeps one with a long memory (see input/VoiceInput).
 */
public final class ArrivalBaseline {

    private static final int BUCKETS = 8;

    private final long bucketNanos;
    private final double slewPerNano;
    private final long[] bucketMin = new long[BUCKETS];
    private final long[] bucketId = new long[BUCKETS];
    private boolean valid;
    private long baseline;
    private long lastUpdateNanos;

    public ArrivalBaseline(int windowMs, double slewMsPerSecond) {
        this.bucketNanos = windowMs * 1_000_000L / BUCKETS;
        this.slewPerNano = slewMsPerSecond / 1000.0;
        reset();
    }

    /** Feeds one packet's offset (arrival nanos minus media nanos of its end). */
    public void update(long arrivalNanos, long offsetNanos) {
        long id = Math.floorDiv(arrivalNanos, bucketNanos);
        int slot = (int) Math.floorMod(id, (long) BUCKETS);
        if (bucketId[slot] != id) {
            bucketId[slot] = id;
            bucketMin[slot] = offsetNanos;
        } else if (offsetNanos < bucketMin[slot]) {
            bucketMin[slot] = offsetNanos;
        }
        if (!valid || offsetNanos < baseline) {
            baseline = offsetNanos;
            valid = true;
            lastUpdateNanos = arrivalNanos;
            return;
        }
        long windowMin = Long.MAX_VALUE;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketId[i] > id - BUCKETS && bucketId[i] <= id && bucketMin[i] < windowMin) {
                windowMin = bucketMin[i];
            }
        }
        long elapsed = Math.max(0, arrivalNanos - lastUpdateNanos);
        lastUpdateNanos = arrivalNanos;
        if (windowMin > baseline) {
            baseline += Math.min(windowMin - baseline, (long) (elapsed * slewPerNano));
        }
    }

    public boolean isValid() {
        return valid;
    }

    public long baselineNanos() {
        return baseline;
    }

    public void reset() {
        valid = false;
        baseline = 0;
        lastUpdateNanos = 0;
        java.util.Arrays.fill(bucketId, Long.MIN_VALUE);
    }
}
