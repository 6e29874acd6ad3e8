package org.duet.mixer.engine;

/** Work that runs on every mix tick of a media loop (a room). */
public interface LoopTask {

    /**
     * @param tickNanos the scheduled time of this tick ({@link System#nanoTime()} base); positions
     *                  derive from it, not from the actual wake-up time, so they advance evenly
     */
    void tick(long tickNanos);

    /**
     * When in the tick period this task wants to tick: its ticks fall at times {@code t} (the
     * {@link System#nanoTime()} base) with {@code floorMod(t, tick)} at or just after this value,
     * to the loop's phase resolution. A room returns the moment its voices' packets arrive, so
     * its mixes read audio as soon as it is final. Negative: no preference (the loop's own phase).
     * Read on the loop thread before each tick; a change takes effect from the next tick.
     */
    default long tickPhaseNanos() {
        return -1;
    }

    /**
     * How often this task ticks: a multiple of the loop's tick (a room whose singers send 20 ms
     * packets ticks every 20 ms, just after each packet, and produces both 10 ms steps of it at
     * once). The phase ({@link #tickPhaseNanos()}) is then taken modulo this period. Zero or
     * negative, or less than the loop's tick: the loop's tick. Read on the loop thread after each tick.
     */
    default long tickPeriodNanos() {
        return -1;
    }
}
