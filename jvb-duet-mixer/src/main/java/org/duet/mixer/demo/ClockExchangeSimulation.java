package org.duet.mixer.demo;

import java.util.Arrays;
import java.util.Random;
import org.duet.mixer.clock.CaptureClock;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.SenderClockSync;
import org.duet.mixer.clock.ServerClock;

/**
 * Clock-offset estimation against a simulated sender, with the real RTCP arithmetic (NTP, LSR/DLSR
 * in 1/65536 s): an SR with a report block every 0.5-1.5 s each way (as Chrome sends them), a media
 * packet every 20 ms, optionally the page's clock ping four times a second; each direction delayed
 * by {@code delay +- jitter} (uniform, as tc netem) and lost at a rate. Used by the estimator's test
 * and by {@code ./duet bench} ({@code clock_offset_error_p95_ms}). Deterministic (seeded).
 */
public final class ClockExchangeSimulation {

    private static final long MS = 1_000_000L;
    /** The page's clock pings ({@code jitsi-meet-ui/web/js/sync.js}): this many 250 ms apart, then ... */
    private static final int PAGE_PING_BURST = 40;
    /** ... one every this many ms. */
    private static final long PAGE_PING_INTERVAL_MS = 500;

    private ClockExchangeSimulation() {
    }

    /** A sender's clock: server time -> its Unix time. */
    public record SenderClock(double offsetMs, double driftPpm, long t0) {
        public long at(long serverNanos) {
            double drift = (serverNanos - t0) * driftPpm * 1e-6;
            return serverNanos + ServerClock.unixNanosMinusNanoTime() + Math.round(offsetMs * MS + drift);
        }

        /** True server nanoTime - sender Unix ns at server time t. */
        public long theta(long serverNanos) {
            return serverNanos - at(serverNanos);
        }
    }

    /** What a sender exchanges with us. */
    public enum Exchange {
        /** A browser: SRs with a report block on our stream, media, the page's ping 4 a second. */
        RTCP_AND_PINGS,
        /** A plain RTP sender: SRs with a report block, media; no page. */
        RTCP_ONLY,
        /**
         * A browser whose report blocks on our stream come in RR packets (no NTP time: they bound
         * nothing), as Chromium's did in the browser test: only the page's pings bound the offset
         * from below. Its SRs come as Chrome sends audio SRs (every 5 s, randomised 0.5-1.5x) and
         * map its media from the first one on (media bounds from above); the page pings on its own
         * schedule (4 a second for 10 s, then 2 a second, as {@code sync.js}).
         */
        PINGS_ONLY
    }

    /** p95 of |estimate - truth| over 8 seeded runs of 120 s, each from 30 s on (after convergence). */
    public static double pooledP95ErrorMs(double offsetMs, double driftPpm, double delayMs, double jitterMs, double loss,
                                   boolean pings) {
        return pooledP95ErrorMs(offsetMs, driftPpm, delayMs, jitterMs, loss, pings ? Exchange.RTCP_AND_PINGS
                : Exchange.RTCP_ONLY, 30);
    }

    /**
     * p95 of |estimate - truth| over 8 seeded runs of 120 s, each from {@code fromSeconds} on. With
     * {@link Exchange#PINGS_ONLY} the error is sampled every 250 ms (its SRs are 5 s apart).
     */
    public static double pooledP95ErrorMs(double offsetMs, double driftPpm, double delayMs, double jitterMs, double loss,
                                   Exchange exchange, int fromSeconds) {
        double[] all = new double[8 * 120 * 4];
        int n = 0;
        for (long seed = 1; seed <= 8; seed++) {
            double[] e = new double[120 * 4];
            int k = simulate(newSync(), new SenderClock(offsetMs, driftPpm, 0), delayMs, jitterMs, loss, seed, 120, e,
                    fromSeconds, exchange);
            System.arraycopy(e, 0, all, n, k);
            n += k;
        }
        double[] e = Arrays.copyOf(all, n);
        Arrays.sort(e);
        return e[(int) Math.min(e.length - 1, Math.round(e.length * 0.95))];
    }

    public static SenderClockSync newSync() {
        return new SenderClockSync(new CaptureClock(new ServerClock(0), ts -> 0));
    }

    public static double p95ErrorMs(SenderClock clock, double delayMs, double jitterMs, double lossPercent, long seed,
                                     int seconds) {
        double[] errors = new double[seconds * 4];
        int n = simulate(newSync(), clock, delayMs, jitterMs, lossPercent, seed, seconds, errors);
        double[] e = Arrays.copyOf(errors, n);
        Arrays.sort(e);
        return e[(int) Math.min(e.length - 1, Math.round(e.length * 0.95))];
    }

    /**
     * Runs RTCP both ways for {@code seconds}; records |estimate - truth| (ms) after each report
     * that arrives after the first 10 s. Returns how many were recorded.
     */
    public static int simulate(SenderClockSync sync, SenderClock clock, double delayMs, double jitterMs,
                                double lossPercent, long seed, int seconds, double[] errors) {
        return simulate(sync, clock, delayMs, jitterMs, lossPercent, seed, seconds, errors, 10, false);
    }

    public static int simulate(SenderClockSync sync, SenderClock clock, double delayMs, double jitterMs,
                        double lossPercent, long seed, int seconds, double[] errors, int warmUpSeconds,
                        boolean pings) {
        return simulate(sync, clock, delayMs, jitterMs, lossPercent, seed, seconds, errors, warmUpSeconds,
                pings ? Exchange.RTCP_AND_PINGS : Exchange.RTCP_ONLY);
    }

    public static int simulate(SenderClockSync sync, SenderClock clock, double delayMs, double jitterMs,
                        double lossPercent, long seed, int seconds, double[] errors, int warmUpSeconds,
                        Exchange exchange) {
        boolean pings = exchange != Exchange.RTCP_ONLY;
        boolean pageSchedule = exchange == Exchange.PINGS_ONLY; // also: Chrome's SR timing, no report block
        Random r = new Random(seed);
        long start = 1_000_000 * MS;
        long end = start + seconds * 1_000L * MS;
        long nextServerSr = start + 200 * MS;
        long nextSenderSr = start + 700 * MS;
        long lastSrMiddle = 0;
        long lastSrReceivedSender = 0; // when (sender clock) the sender got our last SR
        long pendingSrArrival = Long.MAX_VALUE;
        long pendingSrMiddle = 0;
        int n = 0;
        long nextPacket = start;
        long nextPing = start + 100 * MS;
        int pingsSent = 0;
        boolean mapped = !pageSchedule; // media bounds need the SR's mapping of media time to sender time
        long nextSample = start + warmUpSeconds * 1_000L * MS;
        if (pageSchedule) {
            nextSenderSr = start + Math.round((2_500 + r.nextDouble() * 5_000) * MS);
        }
        for (long t = start; t < end; t += MS / 4) {
            if (pings && t >= nextPing) {
                nextPing += pageSchedule && ++pingsSent >= PAGE_PING_BURST ? PAGE_PING_INTERVAL_MS * MS : 250 * MS;
                long up = oneWay(r, delayMs, jitterMs);
                long down = oneWay(r, delayMs, jitterMs);
                if (r.nextDouble() * 100 >= lossPercent) {
                    sync.onPing(clock.at(t), t + up, t + up + 50_000, clock.at(t + up + 50_000 + down), t + up);
                }
            }
            if (pageSchedule && errors != null && t >= nextSample && n < errors.length) {
                nextSample += 250 * MS;
                if (sync.estimator().hasEstimate()) {
                    errors[n++] = Math.abs(sync.estimator().offsetNanos(t) - clock.theta(t)) / 1e6;
                }
            }
            if (t >= nextPacket && mapped) {
                // A 20 ms media packet sent as its last sample is captured; the SR maps it exactly.
                nextPacket += 20 * MS;
                if (r.nextDouble() * 100 >= lossPercent) {
                    long arrival = t + oneWay(r, delayMs, jitterMs);
                    sync.onMediaPacket(arrival, clock.at(t));
                }
            }
            if (t >= pendingSrArrival) {
                lastSrMiddle = pendingSrMiddle;
                lastSrReceivedSender = clock.at(pendingSrArrival);
                pendingSrArrival = Long.MAX_VALUE;
            }
            if (t >= nextServerSr) {
                nextServerSr = t + Math.round((500 + r.nextDouble() * 1000) * MS);
                if (r.nextDouble() * 100 >= lossPercent) {
                    pendingSrMiddle = NtpTime.middle32(NtpTime.fromUnixNanos(t + ServerClock.unixNanosMinusNanoTime()));
                    pendingSrArrival = t + oneWay(r, delayMs, jitterMs);
                }
            }
            if (t >= nextSenderSr) {
                nextSenderSr = t + Math.round((pageSchedule ? 2_500 + r.nextDouble() * 5_000 : 500 + r.nextDouble() * 1000)
                        * MS);
                if (r.nextDouble() * 100 < lossPercent) {
                    continue;
                }
                long sent = clock.at(t);
                long arrival = t + oneWay(r, delayMs, jitterMs);
                if (pageSchedule) {
                    // Its SR bounds from above and maps its media from then on (taken from its
                    // send, not its arrival: a few packets early, which changes no bound's edge).
                    sync.onSenderReport(arrival, NtpTime.fromUnixNanos(sent));
                    mapped = true;
                    continue;
                }
                long dlsr = lastSrMiddle == 0 ? 0 : NtpTime.nanosToCompact(sent - lastSrReceivedSender);
                sync.onSenderReport(arrival, NtpTime.fromUnixNanos(sent));
                sync.onEcho(arrival, NtpTime.fromUnixNanos(sent), lastSrMiddle, dlsr);
                if (errors != null && arrival - start > warmUpSeconds * 1_000L * MS && n < errors.length) {
                    errors[n++] = Math.abs(sync.estimator().offsetNanos(arrival) - clock.theta(arrival)) / 1e6;
                }
            }
        }
        return n;
    }

    /** {@code delay +- jitter}, uniform, as tc netem's delay with jitter. */
    private static long oneWay(Random r, double delayMs, double jitterMs) {
        return Math.round((delayMs + (r.nextDouble() * 2 - 1) * jitterMs) * MS);
    }
}
