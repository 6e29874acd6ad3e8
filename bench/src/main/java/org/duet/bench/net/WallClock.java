package org.duet.bench.net;

import java.time.Instant;

/** Maps System.nanoTime() to 64-bit NTP time (RFC 3550) through one anchor taken at start. */
public final class WallClock {

    private static final long NTP_EPOCH_OFFSET_SECONDS = 2_208_988_800L;
    private final long anchorNanos;
    private final long anchorEpochNanos;

    public WallClock() {
        Instant now = Instant.now();
        this.anchorNanos = System.nanoTime();
        this.anchorEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low 32). */
    public long ntpAt(long nanoTime) {
        long epochNanos = anchorEpochNanos + (nanoTime - anchorNanos);
        long seconds = Math.floorDiv(epochNanos, 1_000_000_000L) + NTP_EPOCH_OFFSET_SECONDS;
        long fracNanos = Math.floorMod(epochNanos, 1_000_000_000L);
        long fraction = (fracNanos << 32) / 1_000_000_000L;
        return (seconds << 32) | (fraction & 0xFFFFFFFFL);
    }
}
