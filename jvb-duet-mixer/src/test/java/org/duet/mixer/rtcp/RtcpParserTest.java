package org.duet.mixer.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtcpParserTest {
    private final RtcpParser parser = new RtcpParser();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void handBuiltSrWithOneBlockSdesAndBye() {
        byte[] bytes = HexFormat.of().parseHex(
                // SR, RC=1, length 12 words
                "81c8000c" + "11223344" + "e9f1a2b3" + "80000000" + "000bb880" + "00000064" + "00001f40"
                        // report block about 0x55667788: fraction 64, lost -3 (signed 24), ehsn 0x1_0005
                        + "55667788" + "40fffffd" + "00010005" + "0000002a" + "a2b38000" + "00018000"
                        // SDES, 1 chunk, CNAME "duet" (4 bytes) + null + pad to 12 bytes
                        + "81ca0003" + "11223344" + "0104" + "64756574" + "0000"
                        // BYE, 1 source
                        + "81cb0001" + "11223344");
        assertThat(parser.parse(bytes, 0, bytes.length, listener)).isEqualTo(RtcpDropReason.NONE);
        assertThat(listener.events).containsExactly(
                "SR 287454020 ntp=e9f1a2b380000000 rtp=768128 packets=100 octets=8000",
                "RB 287454020->1432778632 fraction=64 lost=-3 ehsn=65541 jitter=42 lsr=2729672704 dlsr=98304",
                "SDES 287454020 1=duet",
                "BYE 287454020");
    }

    @Test
    void unknownTypesAreSkippedAndTheRestStillParsed() {
        byte[] bytes = HexFormat.of().parseHex(
                "80c90001" + "00000001" // empty RR
                        + "8fcd0004" + "00000001" + "00000002" + "00010002" + "20010000" // RTPFB fmt 15 (transport-cc)
                        + "81ce0002" + "00000001" + "00000002" // PSFB PLI
                        + "80cc0002" + "00000001" + "64756574" // APP "duet"
                        + "81cb0001" + "00000009");
        assertThat(parser.parse(bytes, 0, bytes.length, listener)).isEqualTo(RtcpDropReason.NONE);
        assertThat(listener.events).containsExactly("OTHER 205", "OTHER 206", "OTHER 204", "BYE 9");
    }

    @Test
    void reducedSizeFeedbackIsAcceptedByDefaultAndRejectedInStrictMode() {
        byte[] pli = HexFormat.of().parseHex("81ce0002" + "00000001" + "00000002");
        assertThat(parser.parse(pli, 0, pli.length, listener)).isEqualTo(RtcpDropReason.NONE);
        assertThat(listener.events).containsExactly("OTHER 206");
        assertThat(RtcpParser.strict().parse(pli, 0, pli.length, null)).isEqualTo(RtcpDropReason.NOT_SR_OR_RR_FIRST);
    }

    @Test
    void invalidCompoundDeliversNothing() {
        byte[] secondIsBad = HexFormat.of().parseHex("81cb0001" + "00000009" + "40c90001" + "00000001");
        assertThat(parser.parse(secondIsBad, 0, secondIsBad.length, listener)).isEqualTo(RtcpDropReason.BAD_VERSION);
        assertThat(listener.events).isEmpty();
    }

    @Test
    void rejectsWithTheRightReason() {
        assertThat(parse("80c9")).isEqualTo(RtcpDropReason.TOO_SHORT);
        assertThat(parser.parse(new byte[8], 4, 8, null)).isEqualTo(RtcpDropReason.BAD_BOUNDS);
        assertThat(parse("80c90002" + "00000001")).isEqualTo(RtcpDropReason.BAD_LENGTH);
        assertThat(parse("80c90001" + "00000001" + "80cb")).isEqualTo(RtcpDropReason.BAD_LENGTH);
        assertThat(parse("80600001" + "00000001")).isEqualTo(RtcpDropReason.BAD_PACKET_TYPE);
        // padding only on the last packet, count 1..(length-4)
        assertThat(parse("a0c90001" + "00000004" + "80cb0001" + "00000001")).isEqualTo(RtcpDropReason.BAD_PADDING);
        assertThat(parse("80c90001" + "00000001" + "a0cb0002" + "00000001" + "00000000"))
                .isEqualTo(RtcpDropReason.BAD_PADDING);
        assertThat(parse("80c90001" + "00000001" + "a0cb0002" + "00000001" + "0000000d"))
                .isEqualTo(RtcpDropReason.BAD_PADDING);
        assertThat(parse("80c90001" + "00000001" + "a0cb0002" + "00000001" + "00000004"))
                .isEqualTo(RtcpDropReason.NONE);
        // SR and RR too short for their report count
        assertThat(parse("81c90001" + "00000001")).isEqualTo(RtcpDropReason.BAD_REPORT);
        assertThat(parse("80c80001" + "00000001")).isEqualTo(RtcpDropReason.BAD_REPORT);
        // SDES: item overruns, no null item, missing chunk
        assertThat(parse("81ca0002" + "00000001" + "01050000")).isEqualTo(RtcpDropReason.BAD_SDES);
        assertThat(parse("81ca0002" + "00000001" + "01026162")).isEqualTo(RtcpDropReason.BAD_SDES);
        assertThat(parse("82ca0002" + "00000001" + "01016100")).isEqualTo(RtcpDropReason.BAD_SDES);
        assertThat(parse("81ca0002" + "00000001" + "01016100")).isEqualTo(RtcpDropReason.NONE);
        // BYE: sources beyond the packet, reason text beyond the packet
        assertThat(parse("82cb0001" + "00000001")).isEqualTo(RtcpDropReason.BAD_BYE);
        assertThat(parse("81cb0002" + "00000001" + "05616263")).isEqualTo(RtcpDropReason.BAD_BYE);
        assertThat(parse("81cb0002" + "00000001" + "03616263")).isEqualTo(RtcpDropReason.NONE);
    }

    @Test
    void srRoundTripThroughTheWriterWithPadding() {
        RtcpWriter writer = new RtcpWriter();
        writer.addReportBlock(7, 255, 0x7FFFFF, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL);
        writer.addReportBlock(8, 0, -0x800000, 0, 0, 0, 0);
        byte[] buf = new byte[200];
        int n = writer.writeSenderReport(buf, 0, 0xFFFFFFFFL, -1L, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL);
        assertThat(n).isEqualTo(28 + 48);
        byte[] cname = "singer-a@duet".getBytes(StandardCharsets.UTF_8);
        int sdes = RtcpWriter.writeSdesCname(buf, n, 0xFFFFFFFFL, cname, 0, cname.length);
        int padded = RtcpWriter.appendPadding(buf, n, sdes, 8);
        assertThat(padded).isEqualTo(sdes + 8);
        assertThat(parser.parse(buf, 0, n + padded, listener)).isEqualTo(RtcpDropReason.NONE);
        assertThat(listener.events).containsExactly(
                "SR 4294967295 ntp=ffffffffffffffff rtp=4294967295 packets=4294967295 octets=4294967295",
                "RB 4294967295->7 fraction=255 lost=8388607 ehsn=4294967295 jitter=4294967295 lsr=4294967295 dlsr=4294967295",
                "RB 4294967295->8 fraction=0 lost=-8388608 ehsn=0 jitter=0 lsr=0 dlsr=0",
                "SDES 4294967295 1=singer-a@duet");
    }

    private RtcpDropReason parse(String hexBytes) {
        byte[] bytes = HexFormat.of().parseHex(hexBytes);
        return parser.parse(bytes, 0, bytes.length, listener);
    }
}
