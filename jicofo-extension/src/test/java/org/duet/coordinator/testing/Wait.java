package org.duet.coordinator.testing;

import java.util.function.BooleanSupplier;

/** Bounded polling for tests: every wait has a deadline. */
public final class Wait {
    private Wait() {
    }

    /** Polls every 10 ms until true or {@code timeoutMs} passed; returns the elapsed ms, or -1 on timeout. */
    public static long until(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + timeoutMs * 1_000_000L;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000L;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean() ? timeoutMs : -1;
    }
}
