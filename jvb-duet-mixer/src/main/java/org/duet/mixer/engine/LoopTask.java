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
}
