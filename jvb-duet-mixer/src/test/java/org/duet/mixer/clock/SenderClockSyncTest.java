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
