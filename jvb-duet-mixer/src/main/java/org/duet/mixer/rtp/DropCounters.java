package org.duet.mixer.rtp;

/**
 * One counter per reason of an enum whose first constant means "not dropped" (NONE); plain
 * longs, for use by one thread (the media loop). {@link RtpDropCounters} and
 * {@code RtcpDropCounters} are its two uses.
 */
public class DropCounters<E extends Enum<E>> {

    private final E[] reasons;
    private final long[] counts;
    private final String name;

    protected DropCounters(Class<E> reasonType, String name) {
        this.reasons = reasonType.getEnumConstants();
        this.counts = new long[reasons.length];
        this.name = name;
    }

    /** Counts one packet for {@code reason}; the first constant (NONE) counts accepted packets. */
    public void count(E reason) {
        counts[reason.ordinal()]++;
    }

    public long get(E reason) {
        return counts[reason.ordinal()];
    }

    /** Total of the drops: every reason except the first (NONE). */
    public long total() {
        long sum = 0;
        for (int i = 1; i < counts.length; i++) {
            sum += counts[i];
        }
        return sum;
    }

    public void reset() {
        java.util.Arrays.fill(counts, 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('{');
        for (E r : reasons) {
            if (counts[r.ordinal()] != 0) {
                sb.append(r).append('=').append(counts[r.ordinal()]).append(' ');
            }
        }
        return sb.append('}').toString();
    }
}
