package org.duet.mixer.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.duet.mixer.demo.ClockExchangeSimulation;
import org.duet.mixer.demo.ClockExchangeSimulation.Exchange;
import org.duet.mixer.demo.ClockExchangeSimulation.SenderClock;
import org.junit.jupiter.api.Test;

/**
 * The clock-offset estimate under the #13 profile: sender A 10 +- 2 ms each way, sender B
 * 60 +- 15 ms each way with 2 % loss, sender clocks +350 ms and -1200 ms off ours and drifting
 * 50 ppm, RTCP as Chrome sends it (an SR with a report block on our stream every 0.5-1.5 s; our SR
 * as often). Estimates must be within 1 ms p95 of the true offset after the first 10 s.
 * Deterministic: simulated timestamps, the real RTCP arithmetic (NTP, LSR/DLSR in 1/65536 s).
 */
class ClockOffsetEstimatorTest {

    private static final long MS = 1_000_000L;


    @Test
    void rtcpExchangesEstimateTheOffsetWithin1msP95UnderTheProfile() {
        // A browser: RTCP, media packets and the page's clock ping (4 a second).
        double a = ClockExchangeSimulation.pooledP95ErrorMs(350, 50, 10, 2, 0, true);
        double b = ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, true);
        // A plain RTP sender: RTCP and media only. B's +-15 ms jitter and one report block a second
        // leave the lower edge of the band less sharp (0.72 ms; 0.42-0.87 for other groups of 8 seeds).
        double aRtcp = ClockExchangeSimulation.pooledP95ErrorMs(350, 50, 10, 2, 0, false);
        double bRtcp = ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, false);
        System.out.printf("clock_offset_error_p95_ms A %.3f B %.3f with pings; RTCP only A %.3f B %.3f "
                + "(8 runs of 120 s each, from 30 s on)%n", a, b, aRtcp, bRtcp);
        assertThat(a).isLessThanOrEqualTo(1.0);
        assertThat(b).isLessThanOrEqualTo(1.0);
        assertThat(aRtcp).isLessThanOrEqualTo(1.0);
        assertThat(bRtcp).isLessThanOrEqualTo(1.0);
    }


    @Test
    void pagePingsAloneEstimateTheOffsetWithin1msP95UnderEitherSingersConditions() {
        // The browser case seen in the browser test: Chrome's report blocks on our stream came in
        // RR packets (no NTP time), so only the page's pings bound the offset from below; its SRs
        // (every 2.5-7.5 s) map its media, whose packets bound it from above.
        double a = ClockExchangeSimulation.pooledP95ErrorMs(350, 50, 10, 2, 0, Exchange.PINGS_ONLY, 10);
        double b = ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, Exchange.PINGS_ONLY, 10);
        double b30 = ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, Exchange.PINGS_ONLY, 30);
        System.out.printf("clock_offset_error_p95_ms pings only (page schedule, Chrome SR timing, no report "
                + "block): A %.3f B %.3f from 10 s, B %.3f from 30 s (8 runs of 120 s)%n", a, b, b30);
        assertThat(a).isLessThanOrEqualTo(1.0);
        assertThat(b).isLessThanOrEqualTo(1.0);
        assertThat(b30).isLessThanOrEqualTo(1.0);
    }

    @Test
    void errorBoundIsHalfTheSmallestRoundTripAndHoldsTheTruth() {
        SenderClock clock = new SenderClock(350, 50, 0);
        CaptureClock capture = new CaptureClock(new ServerClock(0), ts -> 0);
        capture.onSenderTime(0, NtpTime.fromUnixNanos(clock.at(1_000_000 * MS))); // an SR mapped media time 0
        SenderClockSync sync = new SenderClockSync(capture);
        ClockExchangeSimulation.simulate(sync, clock, 60, 15, 2, 3, 60, null);
        long now = 1_000_000 * MS + 60_000 * MS;
        double error = Math.abs(sync.estimator().offsetNanos(now) - clock.theta(now)) / 1e6;
        assertThat(sync.estimator().errorBoundMs()).as("half of the ~90 ms smallest round trip").isBetween(44.0, 50.0);
        assertThat(error).isLessThanOrEqualTo(sync.estimator().errorBoundMs());
        assertThat(sync.estimator().skewPpm()).as("fitted drift").isBetween(-60.0, -40.0); // sender fast: theta falls
        assertThat(sync.mode()).isEqualTo(SenderClockSync.Mode.MEASURED);
        assertThat(capture.sourceFor(0)).isEqualTo(CaptureClock.Source.MEASURED_OFFSET);
    }

    @Test
    void roundTripOnlyAssumesHalfOfItAndSaysSo() {
        SenderClockSync sync = ClockExchangeSimulation.newSync();
        assertThat(sync.mode()).isEqualTo(SenderClockSync.Mode.ARRIVAL);
        sync.onRoundTrip(1_000 * MS, 120 * MS);
        assertThat(sync.mode()).isEqualTo(SenderClockSync.Mode.HALF_ROUND_TRIP);
        assertThat(sync.snapshot().errorBoundMs()).isEqualTo(60.0);
        assertThat(sync.snapshot().mode().description()).contains("half the round trip");
    }

    @Test
    void senderReportsAloneBoundTheOffsetFromOneSideOnlySoArrivalsPlaceTheVoice() {
        SenderClock clock = new SenderClock(-1200, 50, 0);
        SenderClockSync sync = ClockExchangeSimulation.newSync();
        long t = 1_000 * MS;
        for (int i = 0; i < 20; i++, t += 1_000 * MS) {
            sync.onSenderReport(t + 10 * MS, NtpTime.fromUnixNanos(clock.at(t)));
            sync.onEcho(t + 10 * MS, NtpTime.fromUnixNanos(clock.at(t)), 0, 0); // a block without LSR: no echo
        }
        assertThat(sync.estimator().hasEstimate()).isFalse();
        assertThat(sync.mode()).isEqualTo(SenderClockSync.Mode.ARRIVAL);
    }

    @Test
    void pagePingsAloneGiveTheOffset() {
        SenderClock clock = new SenderClock(350, 50, 0);
        SenderClockSync sync = ClockExchangeSimulation.newSync();
        Random r = new Random(5);
        long t = 1_000_000 * MS;
        double[] errors = new double[200];
        for (int i = 0; i < 200; i++, t += 250 * MS) {
            long up = Math.round((10 + (r.nextDouble() * 2 - 1) * 2) * MS);
            long down = Math.round((10 + (r.nextDouble() * 2 - 1) * 2) * MS);
            long t1 = clock.at(t);
            long t2 = t + up;
            long t3 = t2 + 100_000;
            long t4 = clock.at(t3 + down);
            sync.onPing(t1, t2, t3, t4, t3 + down);
            errors[i] = Math.abs(sync.estimator().offsetNanos(t3 + down) - clock.theta(t3 + down)) / 1e6;
        }
        double[] steady = Arrays.copyOfRange(errors, 40, errors.length);
        Arrays.sort(steady);
        assertThat(steady[(int) (steady.length * 0.95)]).isLessThanOrEqualTo(1.0);
    }




}
