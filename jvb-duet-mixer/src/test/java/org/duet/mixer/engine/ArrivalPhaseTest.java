package org.duet.mixer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ArrivalPhaseTest {

    private static final long TICK = 10_000_000;

    @Test
    void findsTheInstantOfSteadyArrivalsAndItsSpread() {
        ArrivalPhase p = new ArrivalPhase(TICK);
        Random r = new Random(1);
        for (int i = 0; i < 500; i++) { // 20 ms packets, 4 ms into the tick, +-0.2 ms
            p.onArrival(1_000_000_000L + i * 20_000_000L + 4_000_000 + (long) (r.nextGaussian() * 200_000));
        }
        assertThat(p.phaseNanos() / 1e6).isCloseTo(4.0, within(0.1));
        assertThat(p.concentration()).isGreaterThan(0.9);
        assertThat(p.spreadNanos() / 1e6).isBetween(0.2, 0.8); // about two standard deviations
    }

    @Test
    void arrivalsAroundThePeriodBoundaryAverageAcrossIt() {
        ArrivalPhase p = new ArrivalPhase(TICK);
        for (int i = 0; i < 100; i++) {
            p.onArrival(i * TICK + (i % 2 == 0 ? 9_900_000 : 100_000)); // -0.1 and +0.1 ms around 0
        }
        long phase = p.phaseNanos();
        assertThat(Math.min(phase, TICK - phase)).isLessThan(50_000);
    }

    @Test
    void jitteryArrivalsHaveNoPhase() {
        ArrivalPhase p = new ArrivalPhase(TICK);
        Random r = new Random(2);
        for (int i = 0; i < 1000; i++) { // 20 ms +- 20 ms: spread over the whole period
            p.onArrival(i * 20_000_000L + (long) (r.nextDouble() * 40_000_000));
        }
        assertThat(p.concentration()).isLessThan(0.3);
    }
}
