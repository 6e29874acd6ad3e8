package org.duet.mixer.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
    private final RtpPacket packet = new RtpPacket();

    /**
     * An Opus packet laid out the way libwebrtc sends it with audio-level on id 1 and abs-capture-time on
     * id 3 negotiated: one-byte extension block of 3 words (2 + 9 bytes of elements, 1 padding byte).
     */
    @Test
    void parsesLibwebrtcStyleOpusPacketWithAudioLevelAndAbsCaptureTime() {
        byte[] bytes = HexFormat.of().parseHex(
                "90ef1a2b" // V=2 X=1 CC=0 | M=1 PT=111 | seq 0x1a2b
                        + "000bb880" // timestamp 768128
                        + "deadbeef" // SSRC
                        + "bede0003" // one-byte profile, 3 words
                        + "10ab" // id 1, L=0: V=1, level 0x2b = 43
                        + "37" + "e9f1a2b38000000" + "0" // id 3, L=7: NTP 0xe9f1a2b3.80000000
                        + "00" // padding to 32 bits
                        + "7883fe0102"); // Opus TOC + data
        byte[] buf = new byte[bytes.length + 20];
        System.arraycopy(bytes, 0, buf, 7, bytes.length);

        assertThat(packet.parse(buf, 7, bytes.length)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.version()).isEqualTo(2);
        assertThat(packet.marker()).isTrue();
        assertThat(packet.payloadType()).isEqualTo(111);
        assertThat(packet.sequenceNumber()).isEqualTo(0x1a2b);
        assertThat(packet.timestamp()).isEqualTo(768128L);
        assertThat(packet.ssrc()).isEqualTo(0xdeadbeefL);
        assertThat(packet.csrcCount()).isZero();
        assertThat(packet.hasExtensions()).isTrue();
        assertThat(packet.hasOneByteExtensions()).isTrue();
        assertThat(packet.headerLength()).isEqualTo(12 + 4 + 12);
        assertThat(packet.payloadOffset()).isEqualTo(7 + 28);
        assertThat(packet.payloadLength()).isEqualTo(5);
        assertThat(buf[packet.payloadOffset()]).isEqualTo((byte) 0x78);

        int level = packet.extensionOffset(1);
        assertThat(level).isEqualTo(7 + 17);
        assertThat(packet.extensionLength(1)).isEqualTo(1);
        assertThat(AudioLevelExtension.voiceActivity(buf, level, 1)).isTrue();
        assertThat(AudioLevelExtension.level(buf, level, 1)).isEqualTo(43);

        int abs = packet.extensionOffset(3);
        assertThat(packet.extensionLength(3)).isEqualTo(8);
        assertThat(AbsCaptureTimeExtension.isValid(8)).isTrue();
        assertThat(AbsCaptureTimeExtension.hasEstimatedClockOffset(8)).isFalse();
        assertThat(AbsCaptureTimeExtension.captureNtp(buf, abs)).isEqualTo(0xe9f1a2b380000000L);

        assertThat(packet.extensionOffset(2)).isEqualTo(-1);
        assertThat(packet.extensionLength(2)).isEqualTo(-1);
    }

    @Test
    void writerProducesTheSameBytesAsTheHandBuiltPacket() {
        byte[] buf = new byte[64];
        int header = new RtpWriter().marker(true).payloadType(111).sequenceNumber(0x1a2b).timestamp(768128L)
                .ssrc(0xdeadbeefL).addAudioLevel(1, true, 43).addAbsCaptureTime(3, 0xe9f1a2b380000000L)
                .write(buf, 0);
        assertThat(header).isEqualTo(28);
        assertThat(HexFormat.of().formatHex(buf, 0, header))
                .isEqualTo("90ef1a2b000bb880deadbeefbede000310ab37e9f1a2b38000000000");
    }

    @Test
    void twoByteProfileWithAppBitsAndZeroLengthElement() {
        byte[] bytes = HexFormat.of().parseHex(
                "90600001" + "00000002" + "00000003"
                        + "10050003" // two-byte profile, appbits 5, 3 words
                        + "0000" // two padding bytes between elements
                        + "0500" // id 5, zero-length
                        + "2a03aabbcc" // id 42, 3 bytes
                        + "000000" // padding
                        + "ff");
        assertThat(packet.parse(bytes, 0, bytes.length)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.hasTwoByteExtensions()).isTrue();
        assertThat(packet.extensionProfile()).isEqualTo(0x1005);
        assertThat(packet.extensionLength(5)).isZero();
        assertThat(packet.extensionOffset(5)).isEqualTo(20);
        assertThat(packet.extensionOffset(42)).isEqualTo(22);
        assertThat(packet.extensionLength(42)).isEqualTo(3);
        assertThat(packet.payloadLength()).isEqualTo(1);
    }

    @Test
    void oneByteId15StopsElementProcessing() {
        byte[] bytes = HexFormat.of().parseHex("90000001" + "00000002" + "00000003"
                + "bede0002" + "1011" + "f0" + "2022" + "000000" + "ee");
        assertThat(packet.parse(bytes, 0, bytes.length)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.extensionOffset(1)).isEqualTo(17);
        assertThat(packet.extensionOffset(2)).isEqualTo(-1);
    }

    @Test
    void unknownExtensionProfileIsSkippedAsAWhole() {
        byte[] bytes = HexFormat.of().parseHex("90000001" + "00000002" + "00000003"
                + "abcd0001" + "11223344" + "5566");
        assertThat(packet.parse(bytes, 0, bytes.length)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.extensionProfile()).isEqualTo(0xabcd);
        assertThat(packet.extensionOffset(1)).isEqualTo(-1);
        assertThat(packet.payloadOffset()).isEqualTo(20);
        assertThat(packet.payloadLength()).isEqualTo(2);
    }

    @Test
    void paddingIsExcludedFromThePayload() {
        byte[] buf = new byte[64];
        int header = RtpWriter.writeFixedHeader(buf, 0, false, 0, 1, 2, 3);
        buf[header] = 0x55;
        buf[header + 1] = 0x66;
        int len = RtpWriter.addPadding(buf, 0, header + 2, 6);
        assertThat(len).isEqualTo(20);
        assertThat(packet.parse(buf, 0, len)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.hasPadding()).isTrue();
        assertThat(packet.paddingLength()).isEqualTo(6);
        assertThat(packet.payloadLength()).isEqualTo(2);

        // The count may cover the whole payload but not the header.
        buf[len - 1] = 8;
        assertThat(packet.parse(buf, 0, len)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.payloadLength()).isZero();
        buf[len - 1] = 9;
        assertThat(packet.parse(buf, 0, len)).isEqualTo(RtpDropReason.BAD_PADDING);
        buf[len - 1] = 0;
        assertThat(packet.parse(buf, 0, len)).isEqualTo(RtpDropReason.BAD_PADDING);
        assertThat(packet.isValid()).isFalse();
    }

    @Test
    void rejectsWithTheRightReason() {
        byte[] ok = HexFormat.of().parseHex("80000001" + "00000002" + "00000003");
        assertThat(packet.parse(ok, 0, 11)).isEqualTo(RtpDropReason.TOO_SHORT);
        assertThat(packet.parse(ok, 0, 13)).isEqualTo(RtpDropReason.BAD_BOUNDS);
        assertThat(packet.parse(ok, -1, 4)).isEqualTo(RtpDropReason.BAD_BOUNDS);
        assertThat(packet.parse(null, 0, 0)).isEqualTo(RtpDropReason.BAD_BOUNDS);

        byte[] v1 = ok.clone();
        v1[0] = 0x40;
        assertThat(packet.parse(v1, 0, 12)).isEqualTo(RtpDropReason.BAD_VERSION);

        byte[] csrc = ok.clone();
        csrc[0] = (byte) 0x81;
        assertThat(packet.parse(csrc, 0, 12)).isEqualTo(RtpDropReason.BAD_CSRC);

        byte[] ext = HexFormat.of().parseHex("90000001" + "00000002" + "00000003" + "bede0002" + "10ff0000");
        assertThat(packet.parse(ext, 0, ext.length)).isEqualTo(RtpDropReason.BAD_EXTENSION);
        assertThat(packet.parse(ext, 0, 14)).isEqualTo(RtpDropReason.BAD_EXTENSION);

        byte[] element = HexFormat.of().parseHex("90000001" + "00000002" + "00000003" + "bede0001" + "1f000000");
        assertThat(packet.parse(element, 0, element.length)).isEqualTo(RtpDropReason.BAD_EXTENSION_ELEMENT);
        byte[] twoByteElement = HexFormat.of().parseHex("90000001" + "00000002" + "00000003" + "10000001" + "01030000");
        assertThat(packet.parse(twoByteElement, 0, twoByteElement.length))
                .isEqualTo(RtpDropReason.BAD_EXTENSION_ELEMENT);
    }

    @Test
    void rewriteInPlaceIsVisibleThroughTheViewAndKeepsTheRest() {
        byte[] buf = new byte[64];
        int header = new RtpWriter().marker(true).payloadType(111).sequenceNumber(7).timestamp(960).ssrc(1)
                .addAudioLevel(1, false, 90).write(buf, 0);
        buf[header] = 0x42;
        assertThat(packet.parse(buf, 0, header + 1)).isEqualTo(RtpDropReason.NONE);

        RtpWriter.rewrite(buf, 0, 0xfedcba98L, 65535, 0xffffffffL, 96);
        assertThat(packet.ssrc()).isEqualTo(0xfedcba98L);
        assertThat(packet.sequenceNumber()).isEqualTo(65535);
        assertThat(packet.timestamp()).isEqualTo(0xffffffffL);
        assertThat(packet.payloadType()).isEqualTo(96);
        assertThat(packet.marker()).isTrue();
        assertThat(AudioLevelExtension.level(buf, packet.extensionOffset(1), 1)).isEqualTo(90);
        assertThat(buf[packet.payloadOffset()]).isEqualTo((byte) 0x42);

        RtpWriter.setMarker(buf, 0, false);
        assertThat(packet.marker()).isFalse();
        assertThat(packet.payloadType()).isEqualTo(96);
    }

    @Test
    void absCaptureTimeWithEstimatedOffsetRoundTrips() {
        byte[] buf = new byte[64];
        long offset = -(3L << 32) - 0x40000000L; // -3.25 s in Q32.32
        int header = new RtpWriter().ssrc(5).addAbsCaptureTime(3, 0x0123456789abcdefL, offset).write(buf, 0);
        assertThat(header).isEqualTo(12 + 4 + 20); // 1 + 16 bytes element, padded to 20
        assertThat(packet.parse(buf, 0, header)).isEqualTo(RtpDropReason.NONE);
        int at = packet.extensionOffset(3);
        assertThat(packet.extensionLength(3)).isEqualTo(16);
        assertThat(AbsCaptureTimeExtension.hasEstimatedClockOffset(16)).isTrue();
        assertThat(AbsCaptureTimeExtension.captureNtp(buf, at)).isEqualTo(0x0123456789abcdefL);
        assertThat(AbsCaptureTimeExtension.estimatedClockOffsetQ32(buf, at)).isEqualTo(offset);
    }

    @Test
    void writerReturnsMinusOneWhenTheHeaderDoesNotFit() {
        RtpWriter writer = new RtpWriter().ssrc(1).addAudioLevel(1, true, 3);
        assertThat(writer.headerLength()).isEqualTo(20);
        assertThat(writer.write(new byte[19], 0)).isEqualTo(-1);
        assertThat(writer.write(new byte[30], 11)).isEqualTo(-1);
        assertThat(writer.write(new byte[30], 10)).isEqualTo(20);
    }

    @Test
    void audioLevelOfPcmFollowsRfc6464() {
        short[] square = new short[480];
        for (int i = 0; i < square.length; i++) {
            square[i] = (short) ((i / 24) % 2 == 0 ? 32767 : -32767);
        }
        assertThat(AudioLevelExtension.levelOf(square, 0, square.length)).isZero();
        short[] sine = new short[480];
        for (int i = 0; i < sine.length; i++) {
            sine[i] = (short) Math.round(3276.7 * Math.sin(2 * Math.PI * 1000 * i / 48000.0));
        }
        // amplitude -20 dB, RMS of a sine is a further -3.01 dB
        assertThat(AudioLevelExtension.levelOf(sine, 0, sine.length)).isEqualTo(23);
        assertThat(AudioLevelExtension.levelOf(new short[480], 0, 480)).isEqualTo(127);
    }
}
