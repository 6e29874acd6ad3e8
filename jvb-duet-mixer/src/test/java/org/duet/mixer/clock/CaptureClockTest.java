package org.duet.mixer.clock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CaptureClockTest {

    private static final long MS = 1_000_000L;

    @Test
    void withoutAMeasuredOffsetCaptureTimeIsTheBestCaseArrival() {
        ServerClock server = new ServerClock(0);
        // The jitter buffer saw media time 0 arrive at the earliest at 1 s (server nanoTime).
        CaptureClock c = new CaptureClock(server, ts -> 1_000 * MS + ServerClock.samplesToNanos(ts));
        assertThat(c.captureNanos(0)).isEqualTo(1_000 * MS);
        assertThat(c.capturePosition(48_000)).isEqualTo(server.toSamples(2_000 * MS));
        assertThat(c.usesMeasuredOffset()).isFalse();
    }

    @Test
    void senderReportAndMeasuredOffsetPlaceMediaAtItsSenderCaptureTime() {
        ServerClock server = new ServerClock(0);
        CaptureClock c = new CaptureClock(server, ts -> 999_999 * MS); // arrival estimate must not be used
        long senderUnix = 1_700_000_000_000L * MS;
        c.onSenderTime(96_000, NtpTime.fromUnixNanos(senderUnix)); // SR: media 96000 = sender time T
        assertThat(c.hasSenderMapping()).isTrue();
        long offset = 5 * MS - senderUnix; // server nanoTime = sender Unix time + offset
        c.setSenderToServerOffset(offset);
        assertThat(c.usesMeasuredOffset()).isTrue();
        // 20 ms of media later was captured 20 ms of sender time later, 5 ms on the server clock + 20.
        assertThat(c.captureNanos(96_000 + 960)).isBetween(25 * MS - 1000, 25 * MS + 1000);
        c.clearOffset();
        assertThat(c.captureNanos(0)).isEqualTo(999_999 * MS);
    }

    @Test
    void aPlausibleSenderWallClockIsTrustedAndAWrongOneIsNot() {
        ServerClock server = new ServerClock(0);
        long arrivalOfMedia0 = 50_000 * MS; // server nanoTime
        CaptureClock c = new CaptureClock(server, ts -> arrivalOfMedia0 + ServerClock.samplesToNanos(ts));
        long unixOfArrival = arrivalOfMedia0 + ServerClock.unixNanosMinusNanoTime();

        // The sender says media 0 was captured 30 ms before it arrived: believable transit.
        c.onSenderTime(0, NtpTime.fromUnixNanos(unixOfArrival - 30 * MS));
        assertThat(c.sourceFor(0)).isEqualTo(CaptureClock.Source.SENDER_WALL_CLOCK);
        assertThat(c.captureNanos(0)).isBetween(arrivalOfMedia0 - 30 * MS - 1000, arrivalOfMedia0 - 30 * MS + 1000);

        // A sender whose clock runs 10 s ahead would put capture after arrival: not trusted.
        c.onSenderTime(0, NtpTime.fromUnixNanos(unixOfArrival + 10_000 * MS));
        assertThat(c.sourceFor(0)).isEqualTo(CaptureClock.Source.ARRIVAL);
        assertThat(c.captureNanos(0)).isEqualTo(arrivalOfMedia0);
    }

    @Test
    void aPinnedSourceStaysWhileASenderReportAndAnOffsetArriveAndMovesOnceFreed() {
        ServerClock server = new ServerClock(0);
        long arrivalOfMedia0 = 50_000 * MS;
        CaptureClock c = new CaptureClock(server, ts -> arrivalOfMedia0 + ServerClock.samplesToNanos(ts));
        c.pinSource(true); // a calibration records the voice where its arrivals put it
        long senderUnix = 1_700_000_000_000L * MS;
        c.onSenderTime(0, NtpTime.fromUnixNanos(senderUnix)); // the first SR comes during the clicks
        c.setSenderToServerOffset(arrivalOfMedia0 - 40 * MS - senderUnix); // captured 40 ms before arrival
        assertThat(c.sourceFor(960)).isEqualTo(CaptureClock.Source.ARRIVAL);
        assertThat(c.captureNanos(960)).isEqualTo(arrivalOfMedia0 + 20 * MS);
        c.pinSource(false);
        assertThat(c.sourceFor(960)).isEqualTo(CaptureClock.Source.MEASURED_OFFSET);
        assertThat(c.captureNanos(960)).isBetween(arrivalOfMedia0 - 20 * MS - 1000, arrivalOfMedia0 - 20 * MS + 1000);
    }

    /**
     * Chromium's SRs for its fake capture device on a loaded machine put captures 7.7 ms, later
     * 40-150 ms, after their packets arrived (2026-12-02): impossible, so the mapping is rejected for
     * good and the voice sits at its earliest arrival (no half round trip: the sender has a clock).
     */
    @Test
    void aMappingThatPutsCapturesAfterTheirArrivalIsRejectedForGood() {
        ServerClock server = new ServerClock(0);
        long arrivalOfMedia0 = 50_000 * MS;
        CaptureClock c = new CaptureClock(server, ts -> arrivalOfMedia0 + ServerClock.samplesToNanos(ts), () -> true);
        c.setAssumedTransitNanos(25 * MS);
        long senderUnix = 1_700_000_000_000L * MS;
        long offset = arrivalOfMedia0 - senderUnix; // server nanoTime = sender Unix time + offset
        c.onSenderTime(0, NtpTime.fromUnixNanos(senderUnix - 4 * MS), true); // captured 4 ms before arrival (within the bound)
        c.setSenderToServerOffset(offset - 8 * MS); // an offset 8 ms low: 4 ms after arrival, within 5 ms
        assertThat(c.sourceFor(0)).isEqualTo(CaptureClock.Source.MEASURED_OFFSET);
        assertThat(c.mappingRejected()).isFalse();

        c.onSenderTime(960, NtpTime.fromUnixNanos(senderUnix + 20 * MS + 40 * MS), true); // 40 ms later: 32 ms after arrival
        assertThat(c.mappingRejected()).isTrue();
        assertThat(c.rejectedTransitNanos()).isBetween(-32 * MS - 1000, -32 * MS + 1000); // 40 ms, less the low offset
        assertThat(c.sourceFor(960)).isEqualTo(CaptureClock.Source.ARRIVAL);
        assertThat(c.captureNanos(960)).isEqualTo(arrivalOfMedia0 + 20 * MS);

        c.onSenderTime(1920, NtpTime.fromUnixNanos(senderUnix + 40 * MS), true); // a good SR again: still arrivals
        c.setSenderToServerOffset(offset);
        assertThat(c.sourceFor(1920)).isEqualTo(CaptureClock.Source.ARRIVAL);

        // A per-packet capture time (abs-capture-time, a Jitsi page's stamp) is not checked: a late
        // packet's own stamp is after the best case of its media time.
        CaptureClock p = new CaptureClock(server, ts -> arrivalOfMedia0 + ServerClock.samplesToNanos(ts), () -> true);
        p.onSenderTime(960, NtpTime.fromUnixNanos(senderUnix + 20 * MS + 40 * MS));
        p.setSenderToServerOffset(offset);
        assertThat(p.mappingRejected()).isFalse();
        assertThat(p.sourceFor(960)).isEqualTo(CaptureClock.Source.MEASURED_OFFSET);
    }
}
