package org.duet.mixer.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The stats snapshot of a sender's clock: current figures for any thread, nothing allocated on the loop. */
class SenderClockSyncTest {

    static final long MS = 1_000_000L;

    private static SenderClockSync newSync() {
        return new SenderClockSync(new CaptureClock(new ServerClock(0), ts -> 0));
    }

    /**
     * A browser's clock pings settle it for a calibration before its first SR (Chrome's audio SRs
     * come every 2.5-7.5 s); RTCP exchanges alone wait for the SR mapping or 3 s; nothing at all
     * waits 3 s. While held, a first SR does not move the voice off its arrivals.
     */
    @Test
    void pingsSettleTheClockBeforeTheFirstSenderReport() {
        CaptureClock capture = new CaptureClock(new ServerClock(0), ts -> 0);
        SenderClockSync pinged = new SenderClockSync(capture);
        assertThat(pinged.settled(500 * MS)).isFalse();
        long unix = ServerClock.unixNanosMinusNanoTime(); // the page's clock agrees with ours
        for (int i = 0; i < 3; i++) {
            long t = (1_000 + 250 * i) * MS;
            pinged.onPing(t + unix, t + 10 * MS, t + 11 * MS, t + 21 * MS + unix, t + 21 * MS);
        }
        assertThat(pinged.settled(500 * MS)).isTrue();
        pinged.hold(true);
        long ntp = NtpTime.fromUnixNanos(2_000 * MS + unix);
        capture.onSenderTime(0, ntp); // the first SR, during the clicks
        pinged.onSenderReport(2_010 * MS, ntp);
        assertThat(capture.sourceFor(0)).isEqualTo(CaptureClock.Source.ARRIVAL);
        pinged.hold(false);
        pinged.update(2_100 * MS);
        assertThat(capture.sourceFor(0)).isEqualTo(CaptureClock.Source.MEASURED_OFFSET);
        assertThat(pinged.mode()).isEqualTo(SenderClockSync.Mode.MEASURED);

        SenderClockSync nothing = newSync();
        assertThat(nothing.settled(2_900 * MS)).isFalse();
        assertThat(nothing.settled(3_100 * MS)).isTrue();
    }

    @Test
    void snapshotShowsTheLatestRoundTripAndExchangeCounts() {
        SenderClockSync sync = newSync();
        assertThat(sync.snapshot().mode()).isEqualTo(SenderClockSync.Mode.ARRIVAL);
        assertThat(sync.snapshot().roundTripMs()).isNaN();
        sync.onRoundTrip(1_000 * MS, 80 * MS);
        sync.onRoundTrip(2_000 * MS, 100 * MS);
        SenderClockSync.Snapshot s = sync.snapshot();
        assertThat(s.mode()).isEqualTo(SenderClockSync.Mode.HALF_ROUND_TRIP);
        assertThat(s.roundTripMs()).isEqualTo(100.0);
        assertThat(s.errorBoundMs()).isEqualTo(50.0);
    }

    @Test
    void updatesOnTheMediaLoopAllocateNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        SenderClockSync sync = newSync();
        long t = 1_000 * MS;
        for (int i = 0; i < 20_000; i++, t += MS) { // warm up (the JIT's first compilations)
            sync.onRoundTrip(t, (80 + i % 7) * MS);
        }
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 20_000; i++, t += MS) {
            sync.onRoundTrip(t, (80 + i % 7) * MS);
        }
        long bytes = mx.getThreadAllocatedBytes(id) - before;
        System.out.printf("sender clock sync: %d B over 20000 updates%n", bytes);
        // a record per update would be about 1.1 MB here; a few bytes may come from a late compilation
        assertThat(bytes).isLessThan(20_000);
        assertThat(sync.snapshot().roundTripMs()).isEqualTo((80 + 19_999 % 7) * 1.0);
    }
}
