package org.duet.bench.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacketTimingTest {

    private static final long PERIOD = 20_000_000L;

    @Test
    void aPerfectGridHasNoDeviationWhateverItsOffset() {
        long[] arrival = new long[100];
        long[] slot = new long[100];
        for (int i = 0; i < 100; i++) {
            slot[i] = i;
            arrival[i] = 987_654_321L + i * PERIOD;
        }
        PacketTiming.Deviation d = PacketTiming.summarize(PacketTiming.deviationsMs(arrival, slot, 100, PERIOD));
        assertThat(d.maxAbsMs()).isZero();
        assertThat(d.count()).isEqualTo(100);
    }

    @Test
    void jitterIsMeasuredAgainstTheGridAndLossesDoNotShiftIt() {
        int n = 200;
        long[] arrival = new long[n];
        long[] slot = new long[n];
        int k = 0;
        for (int i = 0; i < n + 10; i++) {
            if (i % 21 == 5) {
                continue; // lost: the next packet keeps its own slot
            }
            if (k == n) {
                break;
            }
            long jitter = (i % 10 == 0) ? 7_000_000L : (i % 2 == 0 ? 500_000L : -500_000L);
            slot[k] = i;
            arrival[k] = 1_000_000_000L + i * PERIOD + jitter;
            k++;
        }
        double[] devs = PacketTiming.deviationsMs(arrival, slot, k, PERIOD);
        PacketTiming.Deviation d = PacketTiming.summarize(devs);
        // the median offset is +-0.5 ms; the late packets are 7 ms late, so 6.5 or 7.5 ms off the fitted grid
        assertThat(d.maxAbsMs()).isBetween(6.49, 7.51);
        assertThat(d.p50AbsMs()).isLessThanOrEqualTo(1.0);
        assertThat(d.p99AbsMs()).isGreaterThan(6.0);
    }

    @Test
    void noPacketsGiveNoFigures() {
        assertThat(PacketTiming.summarize(new double[0]).count()).isZero();
        assertThat(Double.isNaN(PacketTiming.summarize(new double[0]).p99AbsMs())).isTrue();
    }
}
