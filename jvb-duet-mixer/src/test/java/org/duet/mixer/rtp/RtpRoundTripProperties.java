package org.duet.mixer.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RtpRoundTripProperties {

    record Element(int id, byte[] data) {
        boolean fitsOneByte() {
            return id <= 14 && data.length >= 1 && data.length <= 16;
        }
    }

    @Provide
    Arbitrary<List<Element>> extensionSets() {
        Arbitrary<Element> oneByte = Combinators.combine(Arbitraries.integers().between(1, 14),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16)).as(Element::new);
        Arbitrary<Element> twoByte = Combinators.combine(Arbitraries.integers().between(1, 255),
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(255)).as(Element::new);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, oneByte), net.jqwik.api.Tuple.of(1, twoByte))
                .list().ofMaxSize(8).uniqueElements(Element::id);
    }

    @Property(tries = 400)
    void writerThenParserGivesBackEveryField(
            @ForAll boolean marker,
            @ForAll @IntRange(max = 127) int payloadType,
            @ForAll @IntRange(max = 65535) int seq,
            @ForAll("u32") long timestamp,
            @ForAll("u32") long ssrc,
            @ForAll @Size(max = 15) List<@net.jqwik.api.constraints.LongRange(max = 0xFFFFFFFFL) Long> csrcs,
            @ForAll("extensionSets") List<Element> extensions,
            @ForAll boolean forceTwoByte,
            @ForAll @Size(max = 300) byte[] payload,
            @ForAll @IntRange(max = 255) int padding,
            @ForAll @IntRange(max = 7) int offset) {
        RtpWriter writer = new RtpWriter().marker(marker).payloadType(payloadType).sequenceNumber(seq)
                .timestamp(timestamp).ssrc(ssrc).forceTwoByteExtensions(forceTwoByte);
        csrcs.forEach(writer::addCsrc);
        extensions.forEach(e -> writer.addExtension(e.id(), e.data(), 0, e.data().length));

        byte[] buf = new byte[offset + writer.headerLength() + payload.length + padding + 5];
        int header = writer.write(buf, offset);
        assertThat(header).isEqualTo(writer.headerLength());
        System.arraycopy(payload, 0, buf, offset + header, payload.length);
        int length = header + payload.length;
        if (padding > 0) {
            length = RtpWriter.addPadding(buf, offset, length, padding);
        }

        RtpPacket packet = new RtpPacket();
        assertThat(packet.parse(buf, offset, length)).isEqualTo(RtpDropReason.NONE);
        assertThat(packet.version()).isEqualTo(2);
        assertThat(packet.marker()).isEqualTo(marker);
        assertThat(packet.payloadType()).isEqualTo(payloadType);
        assertThat(packet.sequenceNumber()).isEqualTo(seq);
        assertThat(packet.timestamp()).isEqualTo(timestamp);
        assertThat(packet.ssrc()).isEqualTo(ssrc);
        assertThat(packet.csrcCount()).isEqualTo(csrcs.size());
        for (int i = 0; i < csrcs.size(); i++) {
            assertThat(packet.csrc(i)).isEqualTo(csrcs.get(i));
        }
        assertThat(packet.hasPadding()).isEqualTo(padding > 0);
        assertThat(packet.headerLength()).isEqualTo(header);
        assertThat(packet.payloadLength()).isEqualTo(payload.length);
        assertThat(Arrays.copyOfRange(buf, packet.payloadOffset(), packet.payloadOffset() + packet.payloadLength()))
                .isEqualTo(payload);

        assertThat(packet.hasExtensions()).isEqualTo(!extensions.isEmpty());
        boolean oneByte = !forceTwoByte && extensions.stream().allMatch(Element::fitsOneByte);
        if (!extensions.isEmpty()) {
            assertThat(packet.hasOneByteExtensions()).isEqualTo(oneByte);
            assertThat(packet.hasTwoByteExtensions()).isEqualTo(!oneByte);
        }
        for (Element e : extensions) {
            int at = packet.extensionOffset(e.id());
            assertThat(at).isGreaterThanOrEqualTo(offset + 16);
            assertThat(packet.extensionLength(e.id())).isEqualTo(e.data().length);
            assertThat(Arrays.copyOfRange(buf, at, at + e.data().length)).isEqualTo(e.data());
        }
        for (int id = 1; id <= 255; id++) {
            int probe = id;
            if (extensions.stream().noneMatch(e -> e.id() == probe)) {
                assertThat(packet.extensionOffset(id)).isEqualTo(-1);
            }
        }
    }

    @Property(tries = 300)
    void everyTruncationIntoTheHeaderIsRejectedAndPayloadTruncationsStayConsistent(
            @ForAll("extensionSets") List<Element> extensions,
            @ForAll @IntRange(max = 4) int csrcCount,
            @ForAll @Size(max = 40) byte[] payload) {
        RtpWriter writer = new RtpWriter().payloadType(111).sequenceNumber(1).timestamp(2).ssrc(3);
        for (int i = 0; i < csrcCount; i++) {
            writer.addCsrc(100 + i);
        }
        extensions.forEach(e -> writer.addExtension(e.id(), e.data(), 0, e.data().length));
        byte[] buf = new byte[writer.headerLength() + payload.length];
        int header = writer.write(buf, 0);
        System.arraycopy(payload, 0, buf, header, payload.length);

        RtpPacket packet = new RtpPacket();
        RtpDropCounters counters = new RtpDropCounters();
        for (int len = 0; len < header; len++) {
            RtpDropReason reason = packet.parse(buf, 0, len);
            counters.count(reason);
            assertThat(reason).as("truncated to %d of %d header bytes", len, header).isNotEqualTo(RtpDropReason.NONE);
            assertThat(packet.isValid()).isFalse();
        }
        assertThat(counters.total()).isEqualTo(header);
        // RTP has no length field: a shorter payload is indistinguishable from a truncated one (SRTP's tag is
        // what catches that), so those parse with exactly the bytes that are there.
        for (int len = header; len <= buf.length; len++) {
            assertThat(packet.parse(buf, 0, len)).isEqualTo(RtpDropReason.NONE);
            assertThat(packet.payloadLength()).isEqualTo(len - header);
        }
    }

    @Property(tries = 2000)
    void garbageNeverThrowsAndIsEitherConsistentOrCounted(@ForAll @Size(max = 120) byte[] garbage,
                                                          @ForAll boolean forceVersion2) {
        if (forceVersion2 && garbage.length > 0) {
            garbage[0] = (byte) ((garbage[0] & 0x3F) | 0x80);
        }
        checkConsistentOrCounted(garbage);
    }

    @Property(tries = 1000)
    void mutatedValidPacketsNeverThrow(@ForAll("extensionSets") List<Element> extensions,
                                       @ForAll @Size(min = 1, max = 6) List<@IntRange(max = 10_000) Integer> flips,
                                       @ForAll @Size(max = 30) byte[] payload) {
        RtpWriter writer = new RtpWriter().ssrc(1);
        extensions.forEach(e -> writer.addExtension(e.id(), e.data(), 0, e.data().length));
        byte[] buf = new byte[writer.headerLength() + payload.length];
        int header = writer.write(buf, 0);
        System.arraycopy(payload, 0, buf, header, payload.length);
        for (int flip : flips) {
            buf[flip % buf.length] ^= (byte) (1 + flip / buf.length);
        }
        checkConsistentOrCounted(buf);
    }

    private static void checkConsistentOrCounted(byte[] bytes) {
        RtpPacket packet = new RtpPacket();
        RtpDropCounters counters = new RtpDropCounters();
        RtpDropReason reason = packet.parse(bytes, 0, bytes.length);
        counters.count(reason);
        if (reason == RtpDropReason.NONE) {
            assertThat(counters.total()).isZero();
            assertThat(packet.payloadOffset()).isGreaterThanOrEqualTo(12 + 4 * packet.csrcCount());
            assertThat(packet.payloadLength()).isGreaterThanOrEqualTo(0);
            assertThat(packet.payloadOffset() + packet.payloadLength() + packet.paddingLength()).isEqualTo(bytes.length);
            for (int id = 0; id <= 256; id++) {
                int at = packet.extensionOffset(id);
                if (at >= 0) {
                    assertThat(at + packet.extensionLength(id)).isLessThanOrEqualTo(packet.payloadOffset());
                }
            }
        } else {
            assertThat(counters.get(reason)).isEqualTo(1);
            assertThat(counters.total()).isEqualTo(1);
            assertThat(packet.isValid()).isFalse();
        }
    }

    @Provide
    Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFFFFFFL).edgeCases(c -> c.includeOnly(0L, 0xFFFFFFFFL));
    }
}
