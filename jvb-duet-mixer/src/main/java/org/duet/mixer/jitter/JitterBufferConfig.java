package org.duet.mixer.jitter;

/**
 * Settings of a {@link JitterBuffer}; {@link #defaults()} are meant for live singing over the
 * internet. See docs/jitter-buffer.md for the rule these feed.
 *
 * @param minDelayMs              lower clamp of the target delay
 * @param maxDelayMs              upper clamp of the target delay (also the histogram range)
 * @param initialDelayMs          target before any statistics
 * @param glitchTarget            accepted fraction of packets arriving after their deadline
 *                                (target = the (1 - glitchTarget) quantile of relative delay)
 * @param marginMs                scheduling margin added to the quantile
 * @param hysteresisMs            the target only falls when the quantile is this far below it
 * @param fallRateMsPerSecond     fastest fall of the target below where it last rose from (it rises at once)
 * @param recoveryFallRateMsPerSecond fastest fall back down to where the target last rose from:
 *                                a disturbance's rise is given back quickly once it is over
 * @param histogramMemoryMs       forgetting time constant of the relative-delay histogram
 * @param recentMemoryMs          forgetting time constant of the second, recent histogram: the
 *                                target follows the smaller of the two quantiles, so it rises when
 *                                lateness recurs over the long memory and is happening now, and
 *                                falls within a few of these once a disturbance is over
 * @param baselineWindowMs        window of the minimum (arrival - media time) that anchors relative delay
 * @param baselineSlewMsPerSecond how fast that anchor may move up (clock drift, route change)
 * @param capacityPackets         preallocated slots: the hard cap on buffered packets
 * @param maxPayloadBytes         slot size; larger payloads are dropped as OVERSIZE
 * @param maxConcealRunMs         after this much consecutive concealment, emit zeros instead of
 *                                running PLC (Opus PLC has faded out by then anyway)
 * @param reanchorAfterPackets    consecutive TOO_FAR_AHEAD packets after which the stream re-anchors
 */
public record JitterBufferConfig(int minDelayMs, int maxDelayMs, int initialDelayMs, double glitchTarget,
                                 double marginMs, double hysteresisMs, double fallRateMsPerSecond,
                                 double recoveryFallRateMsPerSecond,
                                 int histogramMemoryMs, int recentMemoryMs, int baselineWindowMs, double baselineSlewMsPerSecond,
                                 int capacityPackets, int maxPayloadBytes, int maxConcealRunMs,
                                 int reanchorAfterPackets) {

    public JitterBufferConfig {
        if (minDelayMs < 0 || maxDelayMs < minDelayMs || maxDelayMs > 2000) {
            throw new IllegalArgumentException("need 0 <= minDelayMs <= maxDelayMs <= 2000");
        }
        if (initialDelayMs < 0) {
            throw new IllegalArgumentException("initialDelayMs < 0");
        }
        if (!(glitchTarget > 0 && glitchTarget < 0.5)) {
            throw new IllegalArgumentException("glitchTarget must be in (0, 0.5): " + glitchTarget);
        }
        if (marginMs < 0 || hysteresisMs < 0 || fallRateMsPerSecond <= 0 || recoveryFallRateMsPerSecond <= 0
                || baselineSlewMsPerSecond <= 0) {
            throw new IllegalArgumentException("margin, hysteresis, fall rate and slew must be positive");
        }
        if (histogramMemoryMs < 100 || baselineWindowMs < 100 || recentMemoryMs < 100
                || recentMemoryMs > histogramMemoryMs) {
            throw new IllegalArgumentException(
                    "histogram memories and baseline window must be >= 100 ms, the recent memory <= the long one");
        }
        if (capacityPackets < 4 || capacityPackets > 4096) {
            throw new IllegalArgumentException("capacityPackets out of range: " + capacityPackets);
        }
        if (maxPayloadBytes < 64 || maxPayloadBytes > 8192) {
            throw new IllegalArgumentException("maxPayloadBytes out of range: " + maxPayloadBytes);
        }
        if (maxConcealRunMs < 10 || reanchorAfterPackets < 1) {
            throw new IllegalArgumentException("maxConcealRunMs >= 10 and reanchorAfterPackets >= 1");
        }
    }

    /**
     * 0 to 300 ms, start at 40 ms, 1 % glitch target, 1 ms margin, 3 ms hysteresis, fall at most
     * 10 ms/s (80 ms/s back to where a rise started), 8 s and 0.3 s histogram memories, 4 s baseline window, 150 slots of 1500 bytes (1.5 s
     * of 10 ms packets, 3 s of 20 ms), 100 ms of PLC at most, re-anchor after 8 far-ahead packets.
     */
    public static JitterBufferConfig defaults() {
        return new JitterBufferConfig(0, 300, 40, 0.01, 1.0, 3.0, 10.0, 80.0, 8000, 300, 4000, 2.0, 150, 1500, 100, 8);
    }

    public JitterBufferConfig withDelayRange(int minMs, int maxMs, int initialMs) {
        return new JitterBufferConfig(minMs, maxMs, initialMs, glitchTarget, marginMs, hysteresisMs,
                fallRateMsPerSecond, recoveryFallRateMsPerSecond, histogramMemoryMs, recentMemoryMs, baselineWindowMs, baselineSlewMsPerSecond, capacityPackets,
                maxPayloadBytes, maxConcealRunMs, reanchorAfterPackets);
    }

    public JitterBufferConfig withGlitchTarget(double target) {
        return new JitterBufferConfig(minDelayMs, maxDelayMs, initialDelayMs, target, marginMs, hysteresisMs,
                fallRateMsPerSecond, recoveryFallRateMsPerSecond, histogramMemoryMs, recentMemoryMs, baselineWindowMs, baselineSlewMsPerSecond, capacityPackets,
                maxPayloadBytes, maxConcealRunMs, reanchorAfterPackets);
    }

    public JitterBufferConfig withCapacity(int packets, int payloadBytes) {
        return new JitterBufferConfig(minDelayMs, maxDelayMs, initialDelayMs, glitchTarget, marginMs, hysteresisMs,
                fallRateMsPerSecond, recoveryFallRateMsPerSecond, histogramMemoryMs, recentMemoryMs, baselineWindowMs, baselineSlewMsPerSecond, packets,
                payloadBytes, maxConcealRunMs, reanchorAfterPackets);
    }
}
