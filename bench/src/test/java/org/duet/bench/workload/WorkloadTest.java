package org.duet.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.bench.analysis.Percentiles;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.TestSignal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole measuring chain against a forwarder whose delay and routing are known. */
class WorkloadTest {

    private static EncodedLoop a;
    private static EncodedLoop b;

    @BeforeAll
    static void encode() {
        a = EncodedLoop.encode(TestSignal.singerA(200, 25));
        b = EncodedLoop.encode(TestSignal.singerB(200, 25));
    }

    @Test
    void measuresTheForwardersDelayAndTheAlignmentOffsetItLeaves() throws Exception {
        try (DelayingForwarder fwd = new DelayingForwarder(30)) {
            WorkloadSpec spec = new WorkloadSpec(2, 1, 4, 2, 40, NetworkProfile.NONE, 0);
            RunResult r = Workload.run(fwd, spec, a, b);
            // duet 1 is the latency duet: singer A's clicks reach the listener 30 ms (+ scheduling) later
            assertThat(r.latenciesMs()).hasSizeGreaterThanOrEqualTo(6);
            assertThat(Percentiles.of(r.latenciesMs(), 50)).isBetween(29.0, 36.0);
            // the listener only gets A, so no alignment pairs; mix-minus carries the other singer whole
            assertThat(r.concealedRate()).isLessThan(0.01);
            assertThat(r.ownVoiceResidualDb()).isLessThan(-30);
            // the forwarder shares this JVM and a busy machine: a few late packets may fall outside the window
            assertThat(r.deliveredRatio()).isGreaterThan(0.9);
        }
    }

    @Test
    void countsFramesTheNetworkLostAsMissingFromTheMixMinus() throws Exception {
        try (DelayingForwarder fwd = new DelayingForwarder(5)) {
            NetworkProfile lossy = new NetworkProfile("loss10", 0, 0, 10);
            WorkloadSpec spec = new WorkloadSpec(1, 1, 5, 1, 0, lossy, 0);
            RunResult r = Workload.run(fwd, spec, a, b);
            // 10 % of packets never arrive; the receiver conceals them, the analysis sees them missing
            assertThat(r.concealedRate()).isBetween(0.05, 0.16);
        }
    }
}
