package org.duet.bench.net;

/**
 * Impairment of the client-to-server path: each packet is delayed by {@code delayMs} plus a uniform
 * random {@code +-jitterMs} (so packets reorder when the jitter exceeds the packet interval) and
 * dropped with probability {@code lossPercent}, as {@code tc netem delay X Y loss Z%} does.
 * Applied in the sending client (see docs/benchmarks.md for why not in the kernel here).
 */
public record NetworkProfile(String name, double delayMs, double jitterMs, double lossPercent) {

    public static final NetworkProfile NONE = new NetworkProfile("none", 0, 0, 0);
    public static final NetworkProfile JITTER_20MS_LOSS_2 = new NetworkProfile("jitter20ms-loss2%", 20, 20, 2);

    public NetworkProfile {
        if (delayMs < 0 || jitterMs < 0 || jitterMs > delayMs + 1e-9 || lossPercent < 0 || lossPercent > 50) {
            throw new IllegalArgumentException("bad network profile");
        }
    }

    public boolean impairs() {
        return delayMs > 0 || jitterMs > 0 || lossPercent > 0;
    }
}
