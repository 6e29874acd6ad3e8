package org.duet.coordinator.front;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Everything the front counts; shown on {@code /stats}. */
public final class FrontCounters {

    final LongAdder bridgeConnections = new LongAdder();
    final LongAdder bridgeRefusedSecret = new LongAdder();
    final LongAdder bridgeRefusedPath = new LongAdder();
    final LongAdder framesBridgeToMixer = new LongAdder();
    final LongAdder framesMixerToBridge = new LongAdder();
    final LongAdder droppedNoMixer = new LongAdder();
    final LongAdder droppedSlowMixer = new LongAdder();
    final LongAdder droppedSlowBridge = new LongAdder();
    final LongAdder droppedOversize = new LongAdder();
    final LongAdder droppedStaleMixer = new LongAdder();
    final LongAdder droppedBinary = new LongAdder();
    final LongAdder sendFailures = new LongAdder();
    final LongAdder pongsByFront = new LongAdder();
    /** WebSocket pings to bridge connections the bridge no longer sends on (see {@link FrontMeeting}). */
    final LongAdder keepAlives = new LongAdder();
    /** Bridge connections closed because their whole meeting went silent. */
    final LongAdder silentClosed = new LongAdder();
    final LongAdder mixerConnects = new LongAdder();
    final LongAdder mixerConnectFailures = new LongAdder();
    final LongAdder mixerConnectionsLost = new LongAdder();
    final LongAdder failovers = new LongAdder();
    final LongAdder migrations = new LongAdder();
    final LongAdder replayedFrames = new LongAdder();
    final AtomicLong lastFailoverMicros = new AtomicLong(-1);
    final AtomicLong maxFailoverMicros = new AtomicLong(-1);
    /** Receipt of a frame to its write completing on the other socket, nanoseconds. */
    private final Recorder relayDelayNanos = new Recorder(3);
    private Histogram relayDelayTotal = new Histogram(3);

    void recordRelayDelay(long nanos) {
        relayDelayNanos.recordValue(Math.max(0, nanos));
    }

    void recordFailover(long micros) {
        failovers.increment();
        lastFailoverMicros.set(micros);
        maxFailoverMicros.accumulateAndGet(micros, Math::max);
    }

    /** The relay delay since the front started (p50, p99, max in microseconds, count). */
    public synchronized RelayDelay relayDelay() {
        relayDelayTotal.add(relayDelayNanos.getIntervalHistogram());
        Histogram h = relayDelayTotal;
        return new RelayDelay(h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    /** Relay delay figures: receipt of a frame to the end of its write on the other socket. */
    public record RelayDelay(long count, double p50Micros, double p99Micros, double maxMicros) {
    }

    public long failovers() {
        return failovers.sum();
    }

    public long migrations() {
        return migrations.sum();
    }

    public long lastFailoverMicros() {
        return lastFailoverMicros.get();
    }

    public long bridgeRefusedSecret() {
        return bridgeRefusedSecret.sum();
    }

    public long framesBridgeToMixer() {
        return framesBridgeToMixer.sum();
    }

    public long framesMixerToBridge() {
        return framesMixerToBridge.sum();
    }

    public long droppedNoMixer() {
        return droppedNoMixer.sum();
    }

    public long keepAlives() {
        return keepAlives.sum();
    }

    public long silentClosed() {
        return silentClosed.sum();
    }

    public long pongsByFront() {
        return pongsByFront.sum();
    }
}
