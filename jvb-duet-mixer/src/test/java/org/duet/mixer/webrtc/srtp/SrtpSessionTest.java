package org.duet.mixer.webrtc.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two ends of one association, keys mirrored as the DTLS exporter gives them. */
class SrtpSessionTest {

    private static SrtpSession[] pair(SrtpProfile profile) {
        byte[] material = new byte[2 * (profile.keyLength() + profile.saltLength())];
        new Random(42).nextBytes(material);
        return new SrtpSession[] {
            new SrtpSession(SrtpKeys.fromExporter(profile, material, true)),
            new SrtpSession(SrtpKeys.fromExporter(profile, material, false)),
        };
    }

    private static byte[] rtp(int seq, long ssrc, int payloadLength, Random random) {
        byte[] p = new byte[12 + payloadLength];
        p[0] = (byte) 0x80;
        p[1] = 111;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = 0;
        p[5] = 0;
        p[6] = (byte) (seq >> 8);
        p[7] = (byte) seq;
        p[8] = (byte) (ssrc >> 24);
        p[9] = (byte) (ssrc >> 16);
        p[10] = (byte) (ssrc >> 8);
        p[11] = (byte) ssrc;
        byte[] payload = new byte[payloadLength];
        random.nextBytes(payload);
        System.arraycopy(payload, 0, p, 12, payloadLength);
        return p;
    }

    private static byte[] copy(PacketBuffer b) {
        return Arrays.copyOfRange(b.getBuffer(), b.getOffset(), b.getOffset() + b.getLength());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpRoundTripsAndTamperingAndReplaysAreCounted(SrtpProfile profile) {
        SrtpSession[] ends = pair(profile);
        SrtpSession sender = ends[0];
        SrtpSession receiver = ends[1];
        Random random = new Random(1);
        PacketBuffer buf = new PacketBuffer(1600);
        for (int seq = 0; seq < 100; seq++) {
            byte[] plain = rtp(seq, 0x11223344L, 100, random);
            assertThat(buf.copyFrom(plain, 0, plain.length, SrtpSession.MAX_TRAILER)).isTrue();
            assertThat(sender.protectRtp(buf)).isEqualTo(SrtpResult.OK);
            byte[] wire = copy(buf);
            assertThat(wire.length).isEqualTo(plain.length + (profile == SrtpProfile.AEAD_AES_128_GCM ? 16 : 10));
            assertThat(Arrays.copyOfRange(wire, 12, 112)).isNotEqualTo(Arrays.copyOfRange(plain, 12, 112));

            // tampered copy: authentication fails, nothing decrypted
            byte[] tampered = wire.clone();
            tampered[20] ^= 1;
            buf.copyFrom(tampered, 0, tampered.length, 0);
            assertThat(receiver.unprotectRtp(buf)).isEqualTo(SrtpResult.AUTH_FAILED);

            buf.copyFrom(wire, 0, wire.length, 0);
            assertThat(receiver.unprotectRtp(buf)).isEqualTo(SrtpResult.OK);
            assertThat(copy(buf)).isEqualTo(plain);

            // the same packet again is a replay
            buf.copyFrom(wire, 0, wire.length, 0);
            assertThat(receiver.unprotectRtp(buf)).isEqualTo(SrtpResult.REPLAYED);
        }
        assertThat(receiver.authFailures()).isEqualTo(100);
        assertThat(receiver.replays()).isEqualTo(100);
        assertThat(receiver.invalid()).isZero();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtcpRoundTrips(SrtpProfile profile) {
        SrtpSession[] ends = pair(profile);
        // a receiver report: V=2, RC=0, PT=201, length 1, SSRC
        byte[] rr = {(byte) 0x80, (byte) 201, 0, 1, 0x0A, 0x0B, 0x0C, 0x0D};
        PacketBuffer buf = new PacketBuffer(256);
        for (int i = 0; i < 5; i++) {
            buf.copyFrom(rr, 0, rr.length, SrtpSession.MAX_TRAILER);
            assertThat(ends[1].protectRtcp(buf)).isEqualTo(SrtpResult.OK);
            assertThat(buf.getLength()).isGreaterThan(rr.length + 4);
            byte[] wire = copy(buf);
            buf.copyFrom(wire, 0, wire.length, 0);
            assertThat(ends[0].unprotectRtcp(buf)).isEqualTo(SrtpResult.OK);
            assertThat(copy(buf)).isEqualTo(rr);
            buf.copyFrom(wire, 0, wire.length, 0);
            assertThat(ends[0].unprotectRtcp(buf)).isEqualTo(SrtpResult.REPLAYED);
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void garbageWithRandomSsrcsDoesNotLockOutTheRealStream(SrtpProfile profile) {
        SrtpSession[] ends = pair(profile);
        Random random = new Random(3);
        PacketBuffer buf = new PacketBuffer(1600);
        for (int i = 0; i < 200; i++) { // more SSRCs than the table holds
            byte[] junk = rtp(i, random.nextInt(), 60, random);
            buf.copyFrom(junk, 0, junk.length, 0);
            assertThat(ends[1].unprotectRtp(buf)).isEqualTo(SrtpResult.AUTH_FAILED);
        }
        byte[] plain = rtp(7, 0x55667788L, 80, random);
        buf.copyFrom(plain, 0, plain.length, SrtpSession.MAX_TRAILER);
        ends[0].protectRtp(buf);
        assertThat(ends[1].unprotectRtp(buf)).isEqualTo(SrtpResult.OK);
        assertThat(copy(buf)).isEqualTo(plain);
        assertThat(ends[1].authFailures()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void runtPacketsAreInvalid(SrtpProfile profile) {
        SrtpSession[] ends = pair(profile);
        PacketBuffer buf = new PacketBuffer(64);
        buf.copyFrom(new byte[] {(byte) 0x80, 111, 0, 1}, 0, 4, 0);
        assertThat(ends[1].unprotectRtp(buf)).isEqualTo(SrtpResult.INVALID);
        assertThat(ends[1].unprotectRtcp(buf)).isEqualTo(SrtpResult.INVALID);
        assertThat(ends[1].invalid()).isEqualTo(2);
    }
}
