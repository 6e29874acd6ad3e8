package org.duet.mixer.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.duet.mixer.clock.NtpTime;
import org.junit.jupiter.api.Test;

/** Expected values are worked out by hand from RFC 3550 A.1, A.3 and A.8. */
class ReceptionStatisticsTest {
    private static final int RATE = 8000; // 1 RTP unit = 125 us, so arrival times convert exactly
    private static final long MS = 1_000_000L;

    private static void feed(ReceptionStatistics s, int... seqs) {
        for (int seq : seqs) {
            s.onRtp(seq, 160L * seq, 20 * MS * seq, RATE);
        }
    }

    @Test
    void inOrderStreamHasNoLoss() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        feed(s, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(s.extendedHighestSequence()).isEqualTo(9);
        assertThat(s.expected()).isEqualTo(10);
        assertThat(s.received()).isEqualTo(10);
        assertThat(s.cumulativeLost()).isZero();
        assertThat(s.takeFractionLost()).isZero();
        assertThat(s.jitter()).isZero(); // perfectly paced
    }

    @Test
    void lossGivesFractionInTheIntervalOnly() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        feed(s, 100, 101, 103, 104); // 102 lost
        assertThat(s.expected()).isEqualTo(5);
        assertThat(s.cumulativeLost()).isEqualTo(1);
        assertThat(s.takeFractionLost()).isEqualTo((1 << 8) / 5); // 51
        feed(s, 105, 106, 107, 108);
        assertThat(s.takeFractionLost()).isZero(); // nothing lost since the last report
        assertThat(s.cumulativeLost()).isEqualTo(1);
        feed(s, 111, 112); // 109, 110 lost: interval expected 4, received 2
        assertThat(s.takeFractionLost()).isEqualTo(128);
        assertThat(s.cumulativeLost()).isEqualTo(3);
    }

    @Test
    void reorderingDoesNotMoveTheHighestSequenceBack() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        feed(s, 100, 102, 101, 103);
        assertThat(s.extendedHighestSequence()).isEqualTo(103);
        assertThat(s.expected()).isEqualTo(4);
        assertThat(s.cumulativeLost()).isZero();
    }

    @Test
    void wrapAt65535CountsACycleAndLateOldPacketsStillCount() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        s.onRtp(65534, 0, 0, RATE);
        s.onRtp(0, 320, 40 * MS, RATE);
        s.onRtp(65535, 160, 41 * MS, RATE); // late, from before the wrap
        s.onRtp(1, 480, 60 * MS, RATE);
        assertThat(s.extendedHighestSequence()).isEqualTo(65536 + 1);
        assertThat(s.expected()).isEqualTo(4); // 65534, 65535, 0, 1
        assertThat(s.received()).isEqualTo(4);
        assertThat(s.cumulativeLost()).isZero();
    }

    @Test
    void duplicatesMakeLossNegativeAsTheRfcSays() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        feed(s, 10, 11, 11, 12);
        assertThat(s.expected()).isEqualTo(3);
        assertThat(s.received()).isEqualTo(4);
        assertThat(s.cumulativeLost()).isEqualTo(-1);
        assertThat(s.takeFractionLost()).isZero();
    }

    @Test
    void largeJumpIsIgnoredUntilConfirmedThenResyncs() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        feed(s, 100, 101, 102);
        assertThat(s.onRtp(5000, 0, 0, RATE)).isFalse(); // jump of 4898 > MAX_DROPOUT: suspicious
        assertThat(s.received()).isEqualTo(3);
        assertThat(s.onRtp(5001, 160, 20 * MS, RATE)).isTrue(); // in sequence with the jump: restart
        assertThat(s.received()).isEqualTo(1);
        assertThat(s.expected()).isEqualTo(1);
        assertThat(s.extendedHighestSequence()).isEqualTo(5001);
    }

    @Test
    void probationAsInA1IgnoresTheFirstPacket() {
        ReceptionStatistics s = new ReceptionStatistics(42, 2);
        assertThat(s.onRtp(7, 0, 0, RATE)).isFalse();
        assertThat(s.hasData()).isFalse();
        assertThat(s.onRtp(8, 160, 20 * MS, RATE)).isTrue();
        assertThat(s.expected()).isEqualTo(1);
        assertThat(s.received()).isEqualTo(1);
        feed(s, 9, 11);
        assertThat(s.expected()).isEqualTo(4);
        assertThat(s.cumulativeLost()).isEqualTo(1);
    }

    @Test
    void jitterFollowsA8() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        // 20 ms packets (160 units at 8 kHz) arriving at 0, 20, 45, 60 ms:
        // transit 0, 0, 40, 0 units -> D = 0, 40, 40 -> J = 0, 2.5, 2.5 + (40 - 2.5) / 16 = 4.84375
        s.onRtp(0, 0, 0, RATE);
        s.onRtp(1, 160, 20 * MS, RATE);
        assertThat(s.jitter()).isZero();
        s.onRtp(2, 320, 45 * MS, RATE);
        assertThat(s.jitter()).isCloseTo(2.5, within(1e-9));
        s.onRtp(3, 480, 60 * MS, RATE);
        assertThat(s.jitter()).isCloseTo(4.84375, within(1e-9));
    }

    @Test
    void jitterUsesArrivalOrderAcrossTimestampWrap() {
        ReceptionStatistics s = new ReceptionStatistics(42);
        // timestamps wrap from 0xFFFFFF60 to 0x00000000 (a 160-unit step) with perfect pacing: D = 0
        s.onRtp(1, 0xFFFF_FF60L, 0, RATE);
        s.onRtp(2, 0x0000_0000L, 20 * MS, RATE);
        assertThat(s.jitter()).isZero();
        // a reordered packet: seq 4 before 3, each arriving on its nominal time
        s.onRtp(4, 320, 60 * MS, RATE);
        s.onRtp(3, 160, 61 * MS, RATE);
        // D(2,4) = 0; D(4,3): arrival +8 units, timestamp -160 -> |8 + 160| = 168 -> J = 168 / 16
        assertThat(s.jitter()).isCloseTo(10.5, within(1e-9));
    }

    @Test
    void reportBlockCarriesLsrAndDlsrAndParsesBack() {
        ReceptionStatistics s = new ReceptionStatistics(0xCAFEBABEL);
        feed(s, 1, 2, 4);
        long srNtp = 0xe9f1_a2b3_8000_0000L;
        long srArrival = 1_000 * MS;
        s.onSenderReport(srNtp, srArrival);

        RtcpWriter writer = new RtcpWriter();
        assertThat(s.writeReportBlock(writer, srArrival + 1_500 * MS)).isTrue();
        byte[] buf = new byte[64];
        int n = writer.writeReceiverReport(buf, 0, 7);

        RecordingListener listener = new RecordingListener();
        assertThat(new RtcpParser().parse(buf, 0, n, listener)).isEqualTo(RtcpDropReason.NONE);
        assertThat(listener.events).containsExactly("RB 7->3405691582 fraction=64 lost=1 ehsn=4 jitter=0 lsr="
                + NtpTime.middle32(srNtp) + " dlsr=98304");
        assertThat(NtpTime.middle32(srNtp)).isEqualTo(0xa2b3_8000L);
    }

    @Test
    void nothingToReportBeforeTheFirstPacket() {
        ReceptionStatistics s = new ReceptionStatistics(1);
        assertThat(s.writeReportBlock(new RtcpWriter(), 0)).isFalse();
        assertThat(s.lastSr()).isZero();
        assertThat(s.delaySinceLastSr(5)).isZero();
    }
}
