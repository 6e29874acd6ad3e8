package org.duet.mixer.sim;

import java.util.Random;

/**
 * One direction of a simulated network path, as {@code tc netem delay D J loss L%} would make
 * it: each packet is delayed by {@code D +- J} (uniform, so packets may reorder) or lost.
 * Seeded: the same seed gives the same path.
 */
public final class SimPath {

    private final double delayMs;
    private final double jitterMs;
    private final double lossPercent;
    private final Random random;
    private long sent;
    private long lost;

    public SimPath(double delayMs, double jitterMs, double lossPercent, long seed) {
        if (delayMs < 0 || jitterMs < 0 || jitterMs > delayMs || lossPercent < 0 || lossPercent > 100) {
            throw new IllegalArgumentException("need 0 <= jitter <= delay and 0-100 % loss");
        }
        this.delayMs = delayMs;
        this.jitterMs = jitterMs;
        this.lossPercent = lossPercent;
        this.random = new Random(seed);
    }

    /** This packet's one-way delay in ns, or -1 when it is lost. */
    public long delayOrLoss() {
        sent++;
        double d = delayNanos();
        if (random.nextDouble() * 100 < lossPercent) {
            lost++;
            return -1;
        }
        return Math.round(d);
    }

    /** A delay for a message that is never lost (a reliable channel on the same path: TCP, WebSocket). */
    public long delayNanos() {
        return Math.round((delayMs + (random.nextDouble() * 2 - 1) * jitterMs) * 1e6);
    }

    public long sent() {
        return sent;
    }

    public long lost() {
        return lost;
    }
}
