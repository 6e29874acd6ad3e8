package org.duet.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CpuCapacityTest {

    @Test
    void cpuPerDuetSecondIsTheProcessCpuOverTheDuetSecondsServed() {
        // 20 duets for 10 s, all served, 5 s of CPU: 25 ms per duet-second, so 40 duets fill a core
        CpuCapacity.Run full = new CpuCapacity.Run(20, 10, 1.0, 5.0, 4.0, 0.5, 1.0, 2000, 0, 1000, "1.0");
        assertThat(full.msPerDuetSecond(full.processCpuSeconds())).isCloseTo(25.0, within(1e-9));
        assertThat(full.msPerDuetSecond(full.mediaLoopCpuSeconds())).isCloseTo(20.0, within(1e-9));
        // the JIT's second of it is reported apart: 20 ms per duet-second in steady state
        assertThat(full.msPerDuetSecond(full.steadyCpuSeconds())).isCloseTo(20.0, within(1e-9));
        // half the load served for the same CPU: each served duet-second cost twice as much
        CpuCapacity.Run half = new CpuCapacity.Run(20, 10, 0.5, 5.0, 4.0, 0.5, 1.0, 2000, 0, 1000, "1.0");
        assertThat(half.msPerDuetSecond(half.processCpuSeconds())).isCloseTo(50.0, within(1e-9));
    }

    @Test
    void theWholeMachineRunsAtHalfWhatOneCoreCarries() {
        // 41.5 ms per duet-second: a core carries 24, each loop gets 12
        assertThat(CpuCapacity.machineDuetsPerLoop(20, 41.5)).isEqualTo(12);
        // cheap duets: never more per loop than the one-loop run had
        assertThat(CpuCapacity.machineDuetsPerLoop(20, 5.0)).isEqualTo(20);
        // very costly ones: still one per loop; unknown cost: the one-loop load
        assertThat(CpuCapacity.machineDuetsPerLoop(20, 900)).isEqualTo(1);
        assertThat(CpuCapacity.machineDuetsPerLoop(20, Double.NaN)).isEqualTo(20);
    }

    @Test
    void readsTheOneMinuteLoadAverage() {
        assertThat(CpuCapacity.loadOf("2.69 4.40 5.08 7/184 29816")).isEqualTo(2.69);
        assertThat(CpuCapacity.loadOf("unknown")).isNaN();
    }
}
