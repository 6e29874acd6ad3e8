package org.duet.mixer.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RtcpRoundTripProperties {

    record Block(long ssrc, int fraction, int lost, long ehsn, long jitter, long lsr, long dlsr) {
    }

    @Provide
    Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    @Provide
    Arbitrary<List<Block>> blocks() {
        Arbitrary<Long> u32 = u32();
        return Combinators.combine(u32, Arbitraries.integers().between(0, 255),
                        Arbitraries.integers().between(-0x800000, 0x7FFFFF), u32, u32, u32, u32)
                .as(Block::new).list().ofMaxSize(RtcpWriter.MAX_REPORT_BLOCKS);
    }

    @Provide
    Arbitrary<String> cnames() {
        return Arbitraries.strings().ascii().ofMaxLength(255);
    }

    /** Writer -> parser for SR (or RR) + SDES CNAME + BYE, optionally padded, at any offset. */
    @Property(tries = 300)
    void compoundRoundTrips(@ForAll boolean senderReport,
                            @ForAll("u32") long ssrc,
                            @ForAll long ntp,
                            @ForAll("u32") long rtpTimestamp,
                            @ForAll("u32") long packets,
                            @ForAll("u32") long octets,
                            @ForAll("blocks") List<Block> blocks,
                            @ForAll("cnames") String cname,
                            @ForAll boolean bye,
                            @ForAll @IntRange(max = 63) int paddingWords,
                            @ForAll @IntRange(max = 9) int offset) {
        RtcpWriter writer = new RtcpWriter();
        blocks.forEach(b -> assertThat(writer.addReportBlock(b.ssrc, b.fraction, b.lost, b.ehsn, b.jitter, b.lsr,
                b.dlsr)).isTrue());
        byte[] buf = new byte[offset + 2000];
        byte[] name = cname.getBytes(StandardCharsets.US_ASCII);
        int p = offset;
        p += senderReport ? writer.writeSenderReport(buf, p, ssrc, ntp, rtpTimestamp, packets, octets)
                : writer.writeReceiverReport(buf, p, ssrc);
        int last = p;
        p += RtcpWriter.writeSdesCname(buf, p, ssrc, name, 0, name.length);
        if (bye) {
            last = p;
            p += RtcpWriter.writeBye(buf, p, ssrc);
        } else {
            last = p - RtcpWriter.sdesCnameLength(name.length);
        }
        if (paddingWords > 0) {
            p = last + RtcpWriter.appendPadding(buf, last, p - last, 4 * paddingWords);
        }

        List<String> expected = new ArrayList<>();
        if (senderReport) {
            expected.add("SR " + ssrc + " ntp=" + Long.toHexString(ntp) + " rtp=" + rtpTimestamp + " packets="
                    + packets + " octets=" + octets);
        }
        for (Block b : blocks) {
            expected.add("RB " + ssrc + "->" + b.ssrc + " fraction=" + b.fraction + " lost=" + b.lost + " ehsn="
                    + b.ehsn + " jitter=" + b.jitter + " lsr=" + b.lsr + " dlsr=" + b.dlsr);
        }
        expected.add("SDES " + ssrc + " 1=" + cname);
        if (bye) {
            expected.add("BYE " + ssrc);
        }

        RecordingListener listener = new RecordingListener();
        assertThat(RtcpParser.strict().parse(buf, offset, p - offset, listener)).isEqualTo(RtcpDropReason.NONE);
        assertThat(listener.events).containsExactlyElementsOf(expected);

        // Every truncation is rejected, except at a packet boundary, where it is the valid shorter compound.
        RtcpParser parser = new RtcpParser();
        List<Integer> boundaries = packetBoundaries(buf, offset, p);
        for (int len = 0; len < p - offset; len++) {
            RtcpDropReason reason = parser.parse(buf, offset, len, null);
            if (boundaries.contains(offset + len) && len > 0) {
                assertThat(reason).isEqualTo(RtcpDropReason.NONE);
            } else {
                assertThat(reason).as("truncated to %d of %d", len, p - offset).isNotEqualTo(RtcpDropReason.NONE);
            }
        }
    }

    private static List<Integer> packetBoundaries(byte[] buf, int off, int end) {
        List<Integer> ends = new ArrayList<>();
        for (int p = off; p < end; ) {
            p += 4 * (((buf[p + 2] & 0xFF) << 8 | (buf[p + 3] & 0xFF)) + 1);
            ends.add(p);
        }
        return ends;
    }

    @Property(tries = 3000)
    void garbageNeverThrowsAndIsCountedWhenRejected(@ForAll @Size(max = 200) byte[] garbage,
                                                    @ForAll boolean plausibleHeader) {
        if (plausibleHeader && garbage.length >= 4) {
            garbage[0] = (byte) (0x80 | (garbage[0] & 0x3F));
            garbage[1] = (byte) (192 + ((garbage[1] & 0xFF) % 32));
            int words = garbage.length / 4 - 1;
            garbage[2] = 0;
            garbage[3] = (byte) Math.max(0, Math.min(words, garbage[3] & 0x3F));
        }
        RtcpDropCounters counters = new RtcpDropCounters();
        RecordingListener listener = new RecordingListener();
        RtcpDropReason reason = new RtcpParser().parse(garbage, 0, garbage.length, listener);
        counters.count(reason);
        if (reason == RtcpDropReason.NONE) {
            assertThat(counters.total()).isZero();
        } else {
            assertThat(counters.get(reason)).isEqualTo(1);
            assertThat(counters.total()).isEqualTo(1);
            assertThat(listener.events).isEmpty();
        }
    }

    @Property(tries = 1000)
    void mutatedCompoundsNeverThrow(@ForAll("blocks") List<Block> blocks,
                                    @ForAll @Size(min = 1, max = 6) List<@IntRange(max = 100_000) Integer> flips) {
        RtcpWriter writer = new RtcpWriter();
        blocks.forEach(b -> writer.addReportBlock(b.ssrc, b.fraction, b.lost, b.ehsn, b.jitter, b.lsr, b.dlsr));
        byte[] buf = new byte[1000];
        int n = writer.writeSenderReport(buf, 0, 1, 2, 3, 4, 5);
        byte[] cname = "x@y".getBytes(StandardCharsets.US_ASCII);
        n += RtcpWriter.writeSdesCname(buf, n, 1, cname, 0, cname.length);
        n += RtcpWriter.writeBye(buf, n, 1);
        for (int flip : flips) {
            buf[flip % n] ^= (byte) (1 + flip / n);
        }
        RtcpDropReason reason = new RtcpParser().parse(buf, 0, n, new RecordingListener());
        assertThat(reason).isNotNull();
    }
}
