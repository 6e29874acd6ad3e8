package org.duet.mixer.rtp;

/** One counter per {@link RtpDropReason}; plain longs, for use by one thread (the media loop). */
public final class RtpDropCounters {
    private static final RtpDropReason[] REASONS = RtpDropReason.values();
    private final long[] counts = new long[REASONS.length];

    /** Counts one packet dropped for {@code reason}; {@link RtpDropReason#NONE} counts accepted packets. */
    public void count(RtpDropReason reason) {
        counts[reason.ordinal()]++;
    }

    public long get(RtpDropReason reason) {
        return counts[reason.ordinal()];
    }

    /** Total of the drops, i.e. every reason except {@link RtpDropReason#NONE}. */
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
        StringBuilder sb = new StringBuilder("RtpDropCounters{");
        for (RtpDropReason r : REASONS) {
            if (counts[r.ordinal()] != 0) {
                sb.append(r).append('=').append(counts[r.ordinal()]).append(' ');
            }
        }
        return sb.append('}').toString();
    }
}
