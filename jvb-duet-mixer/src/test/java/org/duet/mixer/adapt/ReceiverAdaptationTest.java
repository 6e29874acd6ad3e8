package org.duet.mixer.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusSettings;
import org.junit.jupiter.api.Test;

class ReceiverAdaptationTest {

    private static final long S = 1_000_000_000L;
    private final OpusSettings base = new OpusSettings(1, 64_000, 5, false, 0, false,
            OpusApplication.RESTRICTED_LOWDELAY, 480);

    private ReceiverAdaptation adaptation() {
        return new ReceiverAdaptation("r", AdaptationConfig.defaults(), base, 480, true, true);
    }

    private static int fraction(double percent) {
        return (int) Math.round(percent * 256 / 100);
    }

    @Test
    void cleanPathKeepsTheConfiguredEncoder() {
        ReceiverAdaptation a = adaptation();
        for (int i = 0; i < 20; i++) {
            assertThat(a.onReportBlock(0, 0, 48, 20, i * S)).isNull();
        }
        assertThat(a.current()).isEqualTo(base);
        assertThat(a.changes()).isZero();
    }

    @Test
    void lossTurnsFecOnLowersBitrateAndUses20msFramesAtOnce() {
        ReceiverAdaptation a = adaptation();
        a.onReportBlock(0, 0, 48, 20, 0);
        OpusSettings s = a.onReportBlock(fraction(10), 25, 480, 20, S);
        assertThat(s).isNotNull();
        assertThat(s.fec()).isTrue();
        assertThat(s.expectedLossPercent()).isEqualTo(10);
        assertThat(s.bitrate()).isLessThan(base.bitrate()).isGreaterThanOrEqualTo(24_000);
        assertThat(s.frameSamples()).isEqualTo(960);
        assertThat(s.application()).as("LBRR needs SILK/hybrid").isEqualTo(OpusApplication.VOIP);
        assertThat(s.dtx()).as("negotiated, so on while protecting").isTrue();
        assertThat(a.fecOnNanos()).isEqualTo(S);
    }

    @Test
    void recoversOnlyAfterTheHoldAndThenFully() {
        ReceiverAdaptation a = adaptation();
        a.onReportBlock(fraction(10), 0, 48, 20, 0);
        long t = 0;
        for (int i = 1; i <= 3; i++) { // clean reports within the 4 s hold: protection stays
            t = i * S;
            assertThat(a.onReportBlock(0, 0, 48, 20, t)).isNull();
        }
        OpusSettings back = null;
        for (int i = 4; i <= 6 && back == null; i++) {
            back = a.onReportBlock(0, 0, 48, 20, i * S);
        }
        assertThat(back).isEqualTo(base);
    }

    @Test
    void similarLossGivesEqualSettingsSoReceiversShareAnEncoder() {
        ReceiverAdaptation a = adaptation();
        ReceiverAdaptation b = adaptation();
        a.onReportBlock(fraction(8), 0, 48, 20, 0);
        b.onReportBlock(fraction(11), 0, 48, 20, 0);
        assertThat(a.current()).isEqualTo(b.current());
        ReceiverAdaptation c = adaptation();
        c.onReportBlock(fraction(3), 0, 48, 20, 0);
        assertThat(c.current()).isNotEqualTo(a.current());
    }

    @Test
    void bitrateStaysWithinBounds() {
        AdaptationConfig cfg = new AdaptationConfig(true, 40_000, 50_000, 2, new int[] {5, 30}, 4000);
        ReceiverAdaptation a = new ReceiverAdaptation("r", cfg, base, 480, true, false);
        assertThat(a.current().bitrate()).isEqualTo(50_000);
        a.onReportBlock(fraction(40), 0, 48, 20, 0);
        assertThat(a.current().bitrate()).isEqualTo(40_000);
    }

    @Test
    void withoutNegotiatedFecTheBitrateStillDropsButFecStaysOff() {
        ReceiverAdaptation a = new ReceiverAdaptation("r", AdaptationConfig.defaults(), base, 480, false, false);
        a.onReportBlock(fraction(10), 0, 48, 20, 0);
        assertThat(a.current().fec()).isFalse();
        assertThat(a.current().application()).isEqualTo(OpusApplication.RESTRICTED_LOWDELAY);
        assertThat(a.current().bitrate()).isLessThan(64_000);
    }
}
