package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.junit.jupiter.api.Test;

/** The startup warm-up runs a real duet through the mixer's own endpoint and leaves nothing behind. */
class JitsiWarmUpTest {

    @Test
    void aWarmUpDuetGetsItsMixesBackAndLeavesNoMeeting() {
        DuetConfig config = DuetConfig.withOverrides("duet.jitsi.port = 0\nduet.jitsi.secret = \"warm\"\n"
                + "duet.mixer.loops = 1");
        try (DuetMixer mixer = DuetMixer.start(config); JitsiServer server = JitsiServer.start(mixer, config)) {
            long t0 = System.nanoTime();
            int mixes = JitsiWarmUp.run(server);
            System.out.printf("jitsi warm-up: %d mix events back in %d ms%n", mixes, (System.nanoTime() - t0) / 1_000_000);
            // 1.5 s of two voices: each singer's mix-minus and the listener mix come back
            assertThat(mixes).isGreaterThanOrEqualTo(20);
            assertThat(server.meetingIds()).isEmpty();
            assertThat(mixer.rooms()).isEmpty();
        }
    }
}
