package org.duet.mixer.signaling;

/** A token bucket: {@code perSecond} messages a second with bursts of the same size. Not thread-safe. */
final class RateLimiter {

    private final double perNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;
    private boolean started;

    RateLimiter(int perSecond) {
        this.capacity = Math.max(1, perSecond);
        this.perNano = capacity / 1e9;
        this.tokens = capacity;
    }

    boolean tryAcquire(long nowNanos) {
        if (started) {
            tokens = Math.min(capacity, tokens + (nowNanos - lastNanos) * perNano);
        }
        started = true;
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
