package org.duet.mixer.engine;

/** Work that runs on every mix tick of a media loop (a room). */
public interface LoopTask {

    /**
     * @param tickNanos the scheduled time of this tick ({@link System#nanoTime()} base); positions
     *                  derive from it, not from the actual wake-up time, so they advance evenly
     */
    void tick(long tickNanos);
}
