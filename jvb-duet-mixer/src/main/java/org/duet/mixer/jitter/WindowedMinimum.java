package org.duet.mixer.jitter;

/**
 * The smallest value seen over the last {@code buckets} time buckets, kept one minimum per bucket
 * so that the cost is fixed and nothing is allocated. Old buckets leave the window as time moves
 * on, so the minimum rises at once when the smallest values age out. Time must not go backwards.
 */
public final class WindowedMinimum {

    private final long bucketNanos;
    private final long[] bucketMin;
    private final long[] bucketId;

    public WindowedMinimum(int buckets, long bucketNanos) {
        this.bucketNanos = bucketNanos;
        this.bucketMin = new long[buckets];
        this.bucketId = new long[buckets];
        clear();
    }

    /** Feeds {@code value} seen at {@code nowNanos}. */
    public void observe(long nowNanos, long value) {
        long id = Math.floorDiv(nowNanos, bucketNanos);
        int slot = (int) Math.floorMod(id, (long) bucketMin.length);
        if (bucketId[slot] != id) {
            bucketId[slot] = id;
            bucketMin[slot] = value;
        } else if (value < bucketMin[slot]) {
            bucketMin[slot] = value;
        }
    }

    /** The minimum over the window that ends at {@code nowNanos}; {@link Long#MAX_VALUE} if empty. */
    public long min(long nowNanos) {
        long id = Math.floorDiv(nowNanos, bucketNanos);
        long min = Long.MAX_VALUE;
        for (int i = 0; i < bucketMin.length; i++) {
            if (bucketId[i] > id - bucketMin.length && bucketId[i] <= id && bucketMin[i] < min) {
                min = bucketMin[i];
            }
        }
        return min;
    }

    public void clear() {
        java.util.Arrays.fill(bucketId, Long.MIN_VALUE);
    }
}
