package org.duet.mixer.opus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OpusPacketInfoTest {

    private static byte[] encodeOne(OpusSettings s, short[] pcm) {
        byte[] buf = new byte[1500];
        try (OpusEncoder e = new ConcentusOpusEncoder(s)) {
            int n = 0;
            for (int i = 0; i < 10; i++) { // a few frames so mode decisions settle
                n = e.encode(pcm, 0, s.frameSamples(), buf, 0, buf.length);
            }
            return java.util.Arrays.copyOf(buf, n);
        }
    }

    @Test
    void readsTocOfRealPackets() {
        short[] pcm = new short[2880 * 2];
        Signals.tone(pcm, 1, 0, 0, 2880, 440, 8000);

        byte[] celt = encodeOne(OpusSettings.music(1).withApplication(OpusApplication.RESTRICTED_LOWDELAY), pcm);
        assertThat(OpusPacketInfo.mode(celt[0])).isEqualTo(OpusPacketInfo.Mode.CELT);
        assertThat(OpusPacketInfo.bandwidth(celt[0])).isEqualTo(OpusPacketInfo.Bandwidth.FULLBAND);
        assertThat(OpusPacketInfo.samplesPerFrame(celt[0])).isEqualTo(960);
        assertThat(OpusPacketInfo.frameCount(celt, 0, celt.length)).isEqualTo(1);
        assertThat(OpusPacketInfo.totalSamples(celt, 0, celt.length)).isEqualTo(960);
        assertThat(OpusPacketInfo.isStereo(celt[0])).isFalse();
        assertThat(OpusPacketInfo.hasInbandFec(celt, 0, celt.length)).isFalse();

        byte[] silk = encodeOne(new OpusSettings(1, 12_000, 5, true, 20, false, OpusApplication.VOIP, 960), pcm);
        assertThat(OpusPacketInfo.mode(silk[0])).isEqualTo(OpusPacketInfo.Mode.SILK);
        assertThat(OpusPacketInfo.totalSamples(silk, 0, silk.length)).isEqualTo(960);

        byte[] sixty = encodeOne(new OpusSettings(1, 16_000, 5, false, 0, false, OpusApplication.VOIP, 2880), pcm);
        assertThat(OpusPacketInfo.totalSamples(sixty, 0, sixty.length)).isEqualTo(2880);

        short[] stereo = new short[960 * 2];
        Signals.tone(stereo, 2, 0, 0, 960, 440, 8000);
        Signals.tone(stereo, 2, 1, 0, 960, 660, 8000);
        byte[] st = encodeOne(OpusSettings.music(2), stereo);
        assertThat(OpusPacketInfo.isStereo(st[0])).isTrue();

        byte[] tenMs = encodeOne(OpusSettings.music(1).withFrameSamples(480), pcm);
        assertThat(OpusPacketInfo.totalSamples(tenMs, 0, tenMs.length)).isEqualTo(480);
    }

    @Test
    void tocTableMatchesRfc6716() {
        // config -> samples per frame at 48 kHz (RFC 6716 table 2)
        int[] expected = {480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
            480, 960, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960};
        for (int config = 0; config < 32; config++) {
            assertThat(OpusPacketInfo.samplesPerFrame((byte) (config << 3))).as("config %d", config)
                    .isEqualTo(expected[config]);
        }
        assertThat(OpusPacketInfo.bandwidth((byte) (5 << 3))).isEqualTo(OpusPacketInfo.Bandwidth.MEDIUMBAND);
        assertThat(OpusPacketInfo.bandwidth((byte) (13 << 3))).isEqualTo(OpusPacketInfo.Bandwidth.SUPERWIDEBAND);
        assertThat(OpusPacketInfo.bandwidth((byte) (14 << 3))).isEqualTo(OpusPacketInfo.Bandwidth.FULLBAND);
        assertThat(OpusPacketInfo.bandwidth((byte) (17 << 3))).isEqualTo(OpusPacketInfo.Bandwidth.NARROWBAND);
        assertThat(OpusPacketInfo.bandwidth((byte) (21 << 3))).isEqualTo(OpusPacketInfo.Bandwidth.WIDEBAND);
        assertThat(OpusPacketInfo.mode((byte) (12 << 3))).isEqualTo(OpusPacketInfo.Mode.HYBRID);
    }

    @Test
    void frameCountCodes() {
        byte toc = (byte) (31 << 3); // CELT FB 20 ms
        // code 1: two equal frames
        assertThat(OpusPacketInfo.validate(new byte[] {(byte) (toc | 1), 1, 2, 3, 4}, 0, 5)).isEqualTo(2);
        assertThat(OpusPacketInfo.validate(new byte[] {(byte) (toc | 1), 1, 2, 3}, 0, 4))
                .as("odd payload for two equal frames").isEqualTo(OpusError.INVALID_PACKET);
        // code 2: first frame 2 bytes, second 1 byte
        assertThat(OpusPacketInfo.validate(new byte[] {(byte) (toc | 2), 2, 9, 9, 9}, 0, 5)).isEqualTo(2);
        assertThat(OpusPacketInfo.validate(new byte[] {(byte) (toc | 2), 9, 9, 9}, 0, 4))
                .as("first frame longer than the packet").isEqualTo(OpusError.INVALID_PACKET);
        // code 3 CBR, 3 frames of 2 bytes
        assertThat(OpusPacketInfo.totalSamples(new byte[] {(byte) (toc | 3), 3, 1, 1, 2, 2, 3, 3}, 0, 8))
                .isEqualTo(2880);
        // code 3 VBR with padding: frames of 1 and 2 bytes, 2 bytes padding
        byte[] vbr = {(byte) (toc | 3), (byte) (0x80 | 0x40 | 2), 2, 1, 7, 8, 8, 0, 0};
        assertThat(OpusPacketInfo.validate(vbr, 0, vbr.length)).isEqualTo(2);
        // 7 frames of 20 ms = 140 ms > 120 ms
        assertThat(OpusPacketInfo.validate(new byte[] {(byte) (toc | 3), 7, 0}, 0, 3))
                .isEqualTo(OpusError.INVALID_PACKET);
        assertThat(OpusPacketInfo.validate(new byte[] {(byte) (toc | 3), 0}, 0, 2))
                .as("zero frames").isEqualTo(OpusError.INVALID_PACKET);
        assertThat(OpusPacketInfo.validate(new byte[0], 0, 0)).isEqualTo(OpusError.INVALID_PACKET);
        // a single frame above 1275 bytes
        assertThat(OpusPacketInfo.validate(new byte[1277], 0, 1277)).isEqualTo(OpusError.INVALID_PACKET);
        // offsets are honoured
        byte[] shifted = {0x55, 0x55, toc, 1, 2};
        assertThat(OpusPacketInfo.totalSamples(shifted, 2, 3)).isEqualTo(960);
        assertThat(OpusPacketInfo.isDtxOrEmpty(1)).isTrue();
        assertThat(OpusPacketInfo.isDtxOrEmpty(3)).isFalse();
    }

    @Test
    void garbageIsRejectedOrDecodedNeverThrown() {
        Random rnd = new Random(42);
        byte[] buf = new byte[400];
        short[] pcm = new short[5760];
        int invalid = 0;
        try (OpusDecoder d = new ConcentusOpusDecoder(1)) {
            for (int i = 0; i < 3000; i++) {
                int len = rnd.nextInt(buf.length);
                rnd.nextBytes(buf);
                int v = OpusPacketInfo.validate(buf, 0, len);
                if (v < 0) {
                    invalid++;
                }
                OpusPacketInfo.hasInbandFec(buf, 0, len);
                int r = d.decode(buf, 0, len, pcm, 0, 5760);
                if (v < 0) {
                    assertThat(r).isEqualTo(OpusError.INVALID_PACKET);
                } else {
                    assertThat(r).isLessThanOrEqualTo(5760);
                }
            }
            // the decoder still works after all that
            assertThat(d.conceal(pcm, 0, 960)).isEqualTo(960);
        }
        assertThat(invalid).isPositive();
    }
}
