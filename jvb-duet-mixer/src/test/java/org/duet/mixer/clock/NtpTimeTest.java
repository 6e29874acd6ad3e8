package org.duet.mixer.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class NtpTimeTest {

    @Test
    void knownInstants() {
        // Unix epoch is NTP second 2208988800; half a second is fraction 2^31.
        assertThat(NtpTime.fromUnixNanos(0)).isEqualTo(2_208_988_800L << 32);
        assertThat(NtpTime.fromUnixMillis(500)).isEqualTo((2_208_988_800L << 32) | 0x8000_0000L);
        // 2026-01-01T00:00:00Z = Unix 1767225600 s.
        long ntp = NtpTime.fromUnixMillis(1_767_225_600_000L);
        assertThat(ntp >>> 32).isEqualTo(1_767_225_600L + 2_208_988_800L);
        assertThat(NtpTime.toUnixMillis(ntp)).isEqualTo(1_767_225_600_000L);
        // 2036-02-07T06:28:16Z is where NTP seconds wrap to 0 (era 1).
        long wrap = NtpTime.fromUnixNanos(2_085_978_496_000_000_000L);
        assertThat(wrap).isEqualTo(0L);
        assertThat(NtpTime.toUnixNanos(0L)).isEqualTo(2_085_978_496_000_000_000L);
        assertThat(NtpTime.toUnixNanos(1L << 32)).isEqualTo(2_085_978_497_000_000_000L);
    }

    @Property(tries = 500)
    void unixNanosRoundTripExactlyFrom1968To2104(
            @ForAll @LongRange(min = -60_000_000_000_000_000L, max = 4_000_000_000_000_000_000L) long unixNanos) {
        assertThat(NtpTime.toUnixNanos(NtpTime.fromUnixNanos(unixNanos))).isEqualTo(unixNanos);
    }

    @Property(tries = 500)
    void q32RoundTripsWithinOneNanosecond(
            @ForAll @LongRange(min = -2_147_483_648_000_000_000L, max = 2_147_483_647_000_000_000L) long nanos) {
        long back = NtpTime.q32ToNanos(NtpTime.nanosToQ32(nanos));
        assertThat(back).isBetween(nanos - 1, nanos);
    }

    @Test
    void q32AndCompactKnownValues() {
        assertThat(NtpTime.q32ToNanos(-(3L << 32) - 0x4000_0000L)).isEqualTo(-3_250_000_000L);
        assertThat(NtpTime.nanosToQ32(1_500_000_000L)).isEqualTo((1L << 32) | 0x8000_0000L);
        assertThat(NtpTime.middle32(0x1234_5678_9abc_def0L)).isEqualTo(0x5678_9abcL);
        assertThat(NtpTime.nanosToCompact(1_500_000_000L)).isEqualTo(98_304L);
        assertThat(NtpTime.compactToNanos(98_304L)).isEqualTo(1_500_000_000L);
        assertThat(NtpTime.nanosToCompact(-5)).isZero();
        assertThat(NtpTime.nanosToCompact(70_000_000_000_000L)).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void roundTripFromReportBlockFieldsAsInRfc3550Figure2() {
        // RFC 3550 6.4.1 example: LSR 46853.125 s, DLSR 0x0005:4000 (5.25 s), block arrives at
        // 0xb710:8000 (46864.5 s): RTT 6.125 s. (The figure prints LSR as 0xb705:2030, a rounding of
        // 46853.125 s = 0xb705:2000 exactly; the exact value is used here.)
        long rtt = NtpTime.roundTripNanos(0xb7108000L, 0xb7052000L, 0x00054000L);
        assertThat(rtt).isEqualTo(6_125_000_000L);
        assertThat(NtpTime.roundTripNanos(0xb7108000L, 0, 0x00054000L)).isEqualTo(-1);
    }

    @Test
    void nowFollowsTheWallClockAndIsMonotonic() {
        long a = NtpTime.nowNtp();
        long b = NtpTime.nowNtp();
        assertThat(Long.compareUnsigned(b, a)).isGreaterThanOrEqualTo(0);
        long wallMillis = System.currentTimeMillis();
        assertThat(NtpTime.toUnixMillis(b)).isBetween(wallMillis - 2_000, wallMillis + 2_000);

        Clock fixed = Clock.fixed(Instant.parse("2026-11-26T00:00:00.25Z"), ZoneOffset.UTC);
        long fixedNtp = NtpTime.nowNtp(fixed);
        assertThat(fixedNtp & 0xFFFF_FFFFL).isEqualTo(0x4000_0000L);
        assertThat(NtpTime.toUnixMillis(fixedNtp)).isEqualTo(Instant.parse("2026-11-26T00:00:00.25Z").toEpochMilli());
    }
}
