package org.duet.mixer.clock;

/**
 * The server's media clock: {@link System#nanoTime()} expressed as a 48 kHz sample index from a
 * fixed origin. Every capture time in the engine is a position on this clock, so voices from
 * different senders can be laid side by side.
 */
public final class ServerClock {

    public static final int SAMPLE_RATE = 48_000;

    private final long originNanos;

    public ServerClock(long originNanos) {
        this.originNanos = originNanos;
    }

    public static ServerClock startingNow() {
        return new ServerClock(System.nanoTime());
    }

    /** Sample position of a {@link System#nanoTime()} instant (floor). */
    public long toSamples(long nanos) {
        return Math.floorDiv((nanos - originNanos) * 6, 125_000); // * 48000 / 1e9, exact
    }

    /** {@link System#nanoTime()} instant of a sample position. */
    public long toNanos(long samples) {
        return originNanos + Math.floorDiv(samples * 125_000, 6);
    }

    public static long samplesToNanos(long samples) {
        return Math.floorDiv(samples * 125_000, 6);
    }

    public static long nanosToSamples(long nanos) {
        return Math.floorDiv(nanos * 6, 125_000);
    }

    private static final long UNIX_MINUS_NANOTIME =
            System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    /** Add to a {@link System#nanoTime()} value to get Unix time in nanoseconds (fixed at startup). */
    public static long unixNanosMinusNanoTime() {
        return UNIX_MINUS_NANOTIME;
    }
}
