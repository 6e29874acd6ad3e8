package org.duet.mixer.rtcp;

/** One counter per {@link RtcpDropReason}; plain longs, for use by one thread (the media loop). */
public final class RtcpDropCounters {
    private static final RtcpDropReason[] REASONS = RtcpDropReason.values();
    private final long[] counts = new long[REASONS.length];

    /** Counts one compound packet with this outcome; {@link RtcpDropReason#NONE} counts accepted ones. */
    public void count(RtcpDropReason reason) {
        counts[reason.ordinal()]++;
    }

    public long get(RtcpDropReason reason) {
        return counts[reason.ordinal()];
    }

    /** Total of the drops, i.e. every reason except {@link RtcpDropReason#NONE}. */
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
        StringBuilder sb = new StringBuilder("RtcpDropCounters{");
        for (RtcpDropReason r : REASONS) {
            if (counts[r.ordinal()] != 0) {
                sb.append(r).append('=').append(counts[r.ordinal()]).append(' ');
            }
        }
        return sb.append('}').toString();
    }
}
