package org.duet.bench.workload;

/**
 * One workload run: {@code duets} duets (2 singers + 1 listener each) for warmup + measure seconds.
 *
 * @param analyzedDuets     how many duets (from index 0) have their audio recorded and analyzed
 * @param alignmentDelayMs  extra one-way delay of duet 0's singer B (singer A has none), for the
 *                          listener-mix alignment figure; 0 for none
 * @param profile           impairment of the client-to-server path; packets are timed when they
 *                          actually leave the client, which on loopback is their arrival at the mixer
 * @param portBase          first local UDP port for client sockets (3 per duet), 0 for ephemeral
 */
public record WorkloadSpec(int duets, int warmupSeconds, int measureSeconds, int analyzedDuets,
                           double alignmentDelayMs, org.duet.bench.net.NetworkProfile profile, int portBase) {

    public WorkloadSpec {
        if (duets < 1 || duets > 300 || warmupSeconds < 1 || measureSeconds < 1 || measureSeconds > 86_400) {
            throw new IllegalArgumentException("workload out of range");
        }
    }

    public int totalFrames() {
        return (warmupSeconds + measureSeconds + 1) * 50;
    }
}
