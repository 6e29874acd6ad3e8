package org.duet.mixer.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UnwrapperAndDemuxTest {

    @Test
    void timestampWrapsAndReorders() {
        TimestampUnwrapper u = new TimestampUnwrapper();
        assertThat(u.unwrap(0xFFFF_FC40L)).isEqualTo(0xFFFF_FC40L);
        assertThat(u.unwrap(0x0000_0000L)).isEqualTo(1L << 32);
        assertThat(u.unwrap(0xFFFF_FC40L)).isEqualTo(0xFFFF_FC40L);
        assertThat(u.unwrap(0x0000_03C0L)).isEqualTo((1L << 32) + 960);
    }

    @Property(tries = 200)
    void timestampStreamUnwrapsToTheTruth(@ForAll @LongRange(max = 0xFFFF_FFFFL) long start, @ForAll long seed) {
        Random random = new Random(seed);
        TimestampUnwrapper u = new TimestampUnwrapper();
        long value = start;
        long base = start - u.unwrap(start);
        for (int i = 0; i < 2000; i++) {
            value += random.nextInt(50_000_000) - 1_000_000; // big steps, occasionally backward
            assertThat(u.unwrap(value & 0xFFFF_FFFFL) + base).isEqualTo(value);
        }
    }

    @Test
    void demuxByRfc5761() {
        byte[] rtp = new byte[12];
        RtpWriter.writeFixedHeader(rtp, 0, true, 111, 1, 2, 3);
        assertThat(RtpRtcpDemux.looksLikeRtp(rtp, 0, 12)).isTrue();
        assertThat(RtpRtcpDemux.isRtcp(rtp, 0, 12)).isFalse();
        for (int type = 0; type < 256; type++) {
            byte[] p = {(byte) 0x80, (byte) type, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
            boolean rtcp = type >= 192 && type <= 223;
            assertThat(RtpRtcpDemux.isRtcp(p, 0, p.length)).as("type %d", type).isEqualTo(rtcp);
            assertThat(RtpRtcpDemux.looksLikeRtp(p, 0, p.length)).isEqualTo(!rtcp);
        }
        byte[] stunLike = {0, 1, 0, 0, 0x21, 0x12, (byte) 0xA4, 0x42, 0, 0, 0, 0};
        assertThat(RtpRtcpDemux.looksLikeRtp(stunLike, 0, 12)).isFalse();
        assertThat(RtpRtcpDemux.isRtcp(stunLike, 0, 12)).isFalse();
        assertThat(RtpRtcpDemux.isRtcp(rtp, 10, 4)).isFalse();
        assertThat(RtpRtcpDemux.looksLikeRtp(rtp, 0, 11)).isFalse();
    }
}
