package org.duet.mixer.logging;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * At most one log line per interval for one kind of event, with the number suppressed since the
 * last line: a flood of bad input or a failing room cannot fill the disk or slow the loop.
 * Thread-safe and allocation-free when it suppresses.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public LogThrottle(long intervalMillis) {
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /** Logs {@code message} at WARN (with {@code error}'s stack trace) unless one was logged within the interval. */
    public void warn(Logger log, String message, Throwable error) {
        long now = System.nanoTime();
        long next = nextNanos.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextNanos.compareAndSet(next, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long dropped = suppressed.getAndSet(0);
        if (dropped > 0) {
            log.warn("{} ({} similar messages suppressed)", message, dropped, error);
        } else {
            log.warn(message, error);
        }
    }

    /** Messages not logged so far (for tests and metrics). */
    public long suppressedSoFar() {
        return suppressed.get();
    }
}
