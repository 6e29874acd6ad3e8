package org.duet.mixer.clock;

/**
 * NTP time arithmetic (RFC 5905): a 64-bit NTP timestamp is UQ32.32 seconds since 1900-01-01 UTC. Static,
 * allocation-free.
 *
 * <p>Seconds wrap in 2036 (era 1). Conversions to Unix time resolve the era the RFC 4330 way: a seconds
 * field with its top bit clear is taken to be in era 1, so 1968-01-20 .. 2104-02-26 maps uniquely.
 */
public final class NtpTime {
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
    public static final long UNIX_EPOCH_NTP_SECONDS = 2_208_988_800L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long TWO_POW_32 = 1L << 32;

    // Wall clock read once, advanced by the monotonic clock: nowNtp() allocates nothing and never steps.
    private static final long WALL_ANCHOR_NANOS;
    private static final long MONOTONIC_ANCHOR_NANOS;

    static {
        java.time.Instant now = java.time.Instant.now();
        MONOTONIC_ANCHOR_NANOS = System.nanoTime();
        WALL_ANCHOR_NANOS = now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
    }

    private NtpTime() {
    }

    /** NTP timestamp of Unix epoch nanoseconds (truncated to the 2^-32 s NTP resolution). */
    public static long fromUnixNanos(long unixNanos) {
        long seconds = Math.floorDiv(unixNanos, NANOS_PER_SECOND) + UNIX_EPOCH_NTP_SECONDS;
        long nanos = Math.floorMod(unixNanos, NANOS_PER_SECOND);
        return (seconds << 32) | ((nanos << 32) / NANOS_PER_SECOND);
    }

    /** Unix epoch nanoseconds of an NTP timestamp (rounded to the nearest nanosecond). */
    public static long toUnixNanos(long ntp) {
        long seconds = ntp >>> 32;
        if ((seconds & 0x8000_0000L) == 0) {
            seconds += TWO_POW_32; // era 1: after 2036-02-07
        }
        long fraction = ntp & 0xFFFF_FFFFL;
        return (seconds - UNIX_EPOCH_NTP_SECONDS) * NANOS_PER_SECOND + ((fraction * NANOS_PER_SECOND + (1L << 31)) >>> 32);
    }

    public static long fromUnixMillis(long unixMillis) {
        return fromUnixNanos(unixMillis * 1_000_000L);
    }

    /** Unix epoch milliseconds, rounded down. */
    public static long toUnixMillis(long ntp) {
        return Math.floorDiv(toUnixNanos(ntp), 1_000_000L);
    }

    /** The middle 32 bits (Q16.16 seconds), as in RTCP LSR ("compact NTP", RFC 3550 6.4.1). */
    public static long middle32(long ntp) {
        return (ntp >>> 16) & 0xFFFF_FFFFL;
    }

    /** Nanoseconds of a duration in compact NTP units (1/65536 s), e.g. RTCP DLSR. */
    public static long compactToNanos(long compact) {
        return (compact * NANOS_PER_SECOND + (1L << 15)) >> 16;
    }

    /** Compact NTP units (1/65536 s) of a non-negative duration, clamped to 32 bits (e.g. DLSR). */
    public static long nanosToCompact(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        long seconds = nanos / NANOS_PER_SECOND;
        if (seconds >= 65536) {
            return 0xFFFF_FFFFL;
        }
        long fraction = ((nanos % NANOS_PER_SECOND) << 16) / NANOS_PER_SECOND;
        return (seconds << 16) | fraction;
    }

    /**
     * Round-trip time from an RTCP report block (RFC 3550 6.4.1): arrival time of the block, in compact NTP
     * of the local clock, minus LSR minus DLSR; the 32-bit arithmetic wraps. Returns nanoseconds, or -1 if
     * the block carries no LSR.
     */
    public static long roundTripNanos(long arrivalCompact, long lastSr, long delaySinceLastSr) {
        if (lastSr == 0) {
            return -1;
        }
        long rtt = (arrivalCompact - lastSr - delaySinceLastSr) & 0xFFFF_FFFFL;
        if (rtt >= 0x8000_0000L) {
            return 0; // clocks or rounding put arrival before send: report zero, not a huge value
        }
        return compactToNanos(rtt);
    }

    /** Nanoseconds of a signed Q32.32 seconds value (e.g. abs-capture-time's estimated clock offset). */
    public static long q32ToNanos(long q32) {
        long high = Math.multiplyHigh(q32, NANOS_PER_SECOND);
        long low = q32 * NANOS_PER_SECOND;
        return (high << 32) | (low >>> 32);
    }

    /** Signed Q32.32 seconds of nanoseconds (rounded down to 2^-32 s); valid within +-2^31 s. */
    public static long nanosToQ32(long nanos) {
        long seconds = Math.floorDiv(nanos, NANOS_PER_SECOND);
        long rest = Math.floorMod(nanos, NANOS_PER_SECOND);
        return (seconds << 32) + ((rest << 32) / NANOS_PER_SECOND);
    }

    /** Nanoseconds of an NTP duration (difference of two NTP timestamps, as unsigned UQ32.32). */
    public static long durationToNanos(long ntpDelta) {
        return q32ToNanos(ntpDelta);
    }

    /**
     * Now as an NTP timestamp: the system wall clock read at class load, advanced by {@link System#nanoTime()}.
     * Monotonic and allocation-free; it does not follow later steps or slews of the system clock, which is
     * what RTCP SR timestamps want (a sender's NTP clock must not jump under its receivers).
     */
    public static long nowNtp() {
        return fromUnixNanos(nowUnixNanos());
    }

    /** The Unix epoch nanoseconds behind {@link #nowNtp()}. */
    public static long nowUnixNanos() {
        return WALL_ANCHOR_NANOS + (System.nanoTime() - MONOTONIC_ANCHOR_NANOS);
    }

    /** Unix epoch nanoseconds for a {@link System#nanoTime()} reading, on the same timeline as {@link #nowNtp()}. */
    public static long unixNanosOfMonotonic(long monotonicNanos) {
        return WALL_ANCHOR_NANOS + (monotonicNanos - MONOTONIC_ANCHOR_NANOS);
    }

    /** NTP time read from any clock (allocates an Instant; for tests and setup, not per packet). */
    public static long nowNtp(java.time.Clock clock) {
        java.time.Instant now = clock.instant();
        return fromUnixNanos(now.getEpochSecond() * NANOS_PER_SECOND + now.getNano());
    }
}
