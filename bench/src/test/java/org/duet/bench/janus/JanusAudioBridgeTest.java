package org.duet.bench.janus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.duet.bench.analysis.Percentiles;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.TestSignal;
import org.duet.bench.workload.RunResult;
import org.duet.bench.workload.Workload;
import org.duet.bench.workload.WorkloadSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Janus itself, where the Debian package is installed (the bench installs it; CI does not): one
 * duet of plain-RTP participants, heard back through AudioBridge.
 */
class JanusAudioBridgeTest {

    @TempDir
    Path tmp;

    @Test
    void aDuetThroughAudioBridgeIsHeardWithItsMixMinusAndArrivalOrderMixing() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/janus")), "janus is not installed");
        EncodedLoop a = EncodedLoop.encode(TestSignal.singerA(200, 25));
        EncodedLoop b = EncodedLoop.encode(TestSignal.singerB(200, 25));
        try (JanusAudioBridge janus = JanusAudioBridge.start(tmp.resolve("janus"), -1, 18_000 + (int) (ProcessHandle
                .current().pid() % 1000), 21000, 21999, 6)) {
            RunResult r = Workload.run(janus, new WorkloadSpec(2, 3, 5, 2, 40, NetworkProfile.NONE, 0), a, b);
            // AudioBridge buffers 6 packets before decoding: well over 60 ms, well under a second
            assertThat(r.latenciesMs()).isNotEmpty();
            assertThat(Percentiles.of(r.latenciesMs(), 50)).isBetween(60.0, 400.0);
            // it mixes by arrival, so singer B's 40 ms extra path delay shows up in the listener mix: the
            // arrival-to-tick quantisation of two 20 ms frame streams moves it by up to one frame either way
            // (20 ms was seen on a loaded CI machine), but it never comes near Duet's capture-time alignment
            assertThat(Percentiles.of(r.alignmentErrorsMs(), 50)).isBetween(15.0, 70.0);
            // each singer's mix leaves out their own voice
            assertThat(r.ownVoiceResidualDb()).isLessThan(-25);
            assertThat(r.deliveredRatio()).isGreaterThan(0.95);
        }
    }
}
