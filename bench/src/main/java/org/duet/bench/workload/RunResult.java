package org.duet.bench.workload;

import java.util.List;
import org.duet.bench.analysis.PacketTiming;

/**
 * What one workload run measured.
 *
 * @param latenciesMs        per click: listener-mix packet arrival minus carrying input packet send
 *                           (minus the profile's path delay)
 * @param alignmentErrorsMs  per click pair in duet 0's listener mix: B's click minus A's click
 * @param concealedRate      frames of the other singer missing from mix-minus outputs (0..1)
 * @param ownVoiceResidualDb own singer's band relative to the other singer's, in mix-minus outputs
 * @param cpuCores           server process CPU time / wall time over the measured window
 * @param timing             output packet timing deviation from the nominal 20 ms grid
 * @param deliveredRatio     output packets received / expected in the measured window
 * @param benchLateSends     client packets sent more than 2 ms late (bench overload indicator)
 * @param mixMinusLatenciesMs per click of the other singer in a singer's own output (mixed or
 *                           forwarded): arrival of the carrying packet minus the input packet's send
 */
public record RunResult(String server, int duets, List<Double> latenciesMs, List<Double> alignmentErrorsMs,
                        double concealedRate, double ownVoiceResidualDb, double reportedConcealedRate,
                        double cpuCores, PacketTiming.Deviation timing, double deliveredRatio,
                        long benchLateSends, List<Double> mixMinusLatenciesMs) {

    public double cpuPerDuet() {
        return cpuCores / duets;
    }

    /** Output timing within 5 ms of nominal (p99) and at least 99 % of packets delivered. */
    public boolean keepsTiming() {
        return timing.count() > 0 && timing.p99AbsMs() <= 5.0 && deliveredRatio >= 0.99;
    }
}
