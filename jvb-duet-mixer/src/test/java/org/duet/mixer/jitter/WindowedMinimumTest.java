package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WindowedMinimumTest {

    private static final long MS = 1_000_000L;

    @Test
    void theMinimumOfTheWindowRisesAtOnceWhenTheSmallestValueAgesOut() {
        WindowedMinimum m = new WindowedMinimum(4, 100 * MS); // a 400 ms window
        assertThat(m.min(0)).isEqualTo(Long.MAX_VALUE);
        m.observe(0, 30);
        m.observe(50 * MS, 10);
        m.observe(150 * MS, 20);
        assertThat(m.min(150 * MS)).isEqualTo(10);
        assertThat(m.min(399 * MS)).isEqualTo(10);
        assertThat(m.min(400 * MS)).as("the first bucket left the window").isEqualTo(20);
        m.observe(420 * MS, 25);
        assertThat(m.min(499 * MS)).isEqualTo(20);
        assertThat(m.min(500 * MS)).as("the second bucket left too").isEqualTo(25);
        assertThat(m.min(2_000 * MS)).as("everything aged out").isEqualTo(Long.MAX_VALUE);
        m.observe(2_000 * MS, 7);
        m.clear();
        assertThat(m.min(2_000 * MS)).isEqualTo(Long.MAX_VALUE);
    }
}
