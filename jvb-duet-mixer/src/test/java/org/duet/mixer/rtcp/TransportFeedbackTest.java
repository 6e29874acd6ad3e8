package org.duet.mixer.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Transport-wide feedback (RTPFB FMT 15) built by hand, bit by bit, then parsed. */
class TransportFeedbackTest {

    record Seen(int seq, boolean received, long arrivalMicros) {
    }

    static List<Seen> emit(TransportFeedback f) {
        List<Seen> out = new ArrayList<>();
        f.emit((seq, received, arrival) -> out.add(new Seen(seq, received, arrival)));
        return out;
    }

    /** The common header: V=2, FMT=15, PT=205, length, sender SSRC, media SSRC, base, count, ref, fb count. */
    static byte[] header(int totalBytes, int base, int count, int ref, int fbCount) {
        byte[] b = new byte[totalBytes];
        b[0] = (byte) 0x8F;
        b[1] = (byte) 205;
        int words = totalBytes / 4 - 1;
        b[2] = (byte) (words >> 8);
        b[3] = (byte) words;
        b[4] = 0x11; b[5] = 0x22; b[6] = 0x33; b[7] = 0x44;       // sender SSRC
        b[8] = 0x55; b[9] = 0x66; b[10] = 0x77; b[11] = (byte) 0x88; // media SSRC
        b[12] = (byte) (base >> 8);
        b[13] = (byte) base;
        b[14] = (byte) (count >> 8);
        b[15] = (byte) count;
        b[16] = (byte) (ref >> 16);
        b[17] = (byte) (ref >> 8);
        b[18] = (byte) ref;
        b[19] = (byte) fbCount;
        return b;
    }

    @Test
    void statusVectorOfTwoBitSymbolsWithSmallAndLargeDeltas() {
        // 5 packets from 100: received (small +1 ms), lost, received (large -2 ms), received (small +4 ms),
        // received (small 0). One two-bit status vector chunk: 1 1 | 01 00 10 01 01 00 00 = 0xD250.
        byte[] b = header(28, 100, 5, 1, 7);
        b[20] = (byte) 0xD2;
        b[21] = 0x50;
        b[22] = 4;                              // +1 ms (4 x 250 us)
        b[23] = (byte) 0xFF; b[24] = (byte) 0xF8; // -8 x 250 us = -2 ms
        b[25] = 16;                             // +4 ms
        b[26] = 0;                              // +0
        // b[27]: zero padding
        TransportFeedback f = new TransportFeedback();
        assertThat(f.parse(b, 0, b.length)).isEqualTo(TransportFeedback.Problem.NONE);
        assertThat(f.baseSequence()).isEqualTo(100);
        assertThat(f.statusCount()).isEqualTo(5);
        assertThat(f.receivedCount()).isEqualTo(4);
        assertThat(f.feedbackCount()).isEqualTo(7);
        assertThat(f.referenceMicros()).isEqualTo(64_000);
        assertThat(f.mediaSsrc()).isEqualTo(0x55667788L);
        assertThat(emit(f)).containsExactly(
                new Seen(100, true, 65_000),
                new Seen(101, false, Long.MIN_VALUE),
                new Seen(102, true, 63_000),
                new Seen(103, true, 67_000),
                new Seen(104, true, 67_000));
    }

    @Test
    void runLengthAndOneBitChunksAcrossTheSequenceWrap() {
        // 3 packets from 65534 received with small deltas (run length chunk: 0 01 0000000000011 = 0x2003),
        // then 4 in a one-bit vector 1 0 | 1 0 1 1 0 ... (14 symbols, only 4 used) = 1 0 10110000000000 = 0xAC00.
        byte[] b = header(32, 65534, 7, -1 & 0xFFFFFF, 0);
        b[20] = 0x20; b[21] = 0x03;
        b[22] = (byte) 0xAC; b[23] = 0x00;
        b[24] = 1; b[25] = 2; b[26] = 3;        // run: +0.25, +0.5, +0.75 ms
        b[27] = 4; b[28] = 5; b[29] = 6;        // vector: seq 1 (+1 ms), 3 (+1.25), 4 (+1.5)
        TransportFeedback f = new TransportFeedback();
        assertThat(f.parse(b, 0, b.length)).isEqualTo(TransportFeedback.Problem.NONE);
        assertThat(f.referenceMicros()).as("the reference time is signed").isEqualTo(-64_000);
        List<Seen> seen = emit(f);
        assertThat(seen).extracting(Seen::seq).containsExactly(65534, 65535, 0, 1, 2, 3, 4);
        assertThat(seen).extracting(Seen::received).containsExactly(true, true, true, true, false, true, true);
        assertThat(seen.get(2).arrivalMicros()).isEqualTo(-64_000 + 250 + 500 + 750);
        assertThat(seen.get(6).arrivalMicros()).isEqualTo(-64_000 + 1500 + 1000 + 1250 + 1500);
    }

    @Test
    void malformedFeedbackIsRefusedWithAReasonAndEmitsNothing() {
        TransportFeedback f = new TransportFeedback();
        byte[] ok = header(28, 100, 5, 1, 7);
        ok[20] = (byte) 0xD2; ok[21] = 0x50; ok[22] = 4; ok[23] = (byte) 0xFF; ok[24] = (byte) 0xF8; ok[25] = 16;
        assertThat(f.parse(ok, 0, 19)).isEqualTo(TransportFeedback.Problem.TOO_SHORT);
        assertThat(f.parse(ok, 0, 26)).isEqualTo(TransportFeedback.Problem.DELTAS_TRUNCATED);
        assertThat(emit(f)).as("nothing from a refused packet").isEmpty();
        byte[] nack = ok.clone();
        nack[0] = (byte) 0x81; // FMT 1: generic NACK
        assertThat(f.parse(nack, 0, nack.length)).isEqualTo(TransportFeedback.Problem.NOT_TRANSPORT_FEEDBACK);
        byte[] none = header(24, 1, 0, 0, 0);
        assertThat(f.parse(none, 0, none.length)).isEqualTo(TransportFeedback.Problem.NO_STATUS);
        byte[] reserved = ok.clone();
        reserved[20] = (byte) 0xF2; // first 2-bit symbol 11
        assertThat(f.parse(reserved, 0, reserved.length)).isEqualTo(TransportFeedback.Problem.RESERVED_SYMBOL);
        byte[] emptyRun = header(24, 1, 3, 0, 0);
        emptyRun[20] = 0x20; emptyRun[21] = 0x00; // run length 0
        assertThat(f.parse(emptyRun, 0, emptyRun.length)).isEqualTo(TransportFeedback.Problem.EMPTY_RUN);
        byte[] noChunks = header(20, 1, 30, 0, 0);
        assertThat(f.parse(noChunks, 0, noChunks.length)).isEqualTo(TransportFeedback.Problem.CHUNKS_TRUNCATED);
    }

    @Test
    void randomBytesNeverThrowAndNeverReadOutsideThePacket() {
        Random r = new Random(15);
        TransportFeedback f = new TransportFeedback();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            int len = 20 + r.nextInt(60);
            byte[] b = new byte[len + 8];
            r.nextBytes(b);
            b[4] = (byte) 0x8F;
            b[5] = (byte) 205;
            if (f.parse(b, 4, len) == TransportFeedback.Problem.NONE) {
                accepted++;
                int[] n = new int[1];
                f.emit((seq, rec, at) -> n[0]++);
                assertThat(n[0]).isEqualTo(f.statusCount());
            }
        }
        System.out.println("random feedback accepted: " + accepted + " of 20000");
    }

    @Test
    void reachesAListenerThroughTheCompoundParser() {
        byte[] b = header(28, 100, 5, 1, 7);
        b[20] = (byte) 0xD2; b[21] = 0x50; b[22] = 4; b[23] = (byte) 0xFF; b[24] = (byte) 0xF8; b[25] = 16;
        int[] seen = new int[3];
        RtcpDropReason reason = new RtcpParser().parse(b, 0, b.length, new RtcpListener() {
            @Override
            public void onOtherPacket(int packetType, int count, byte[] buf, int off, int len) {
                seen[0] = packetType;
                seen[1] = count;
                seen[2] = len;
            }
        });
        assertThat(reason).isEqualTo(RtcpDropReason.NONE);
        assertThat(seen).containsExactly(205, 15, 28);
    }
}
