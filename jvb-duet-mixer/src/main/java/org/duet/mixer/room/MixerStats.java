package org.duet.mixer.room;

/**
 * Engine-wide figures: tick timing over all media loops, packet counts, and allocation counters
 * of the loop threads (for the zero-allocation target).
 *
 * @param tickP50Micros     median time one tick takes (all rooms of a loop)
 * @param deadlineMisses    ticks that finished after the next tick was due, plus ticks skipped
 *                          when a loop fell more than five ticks behind (so it can exceed ticks)
 * @param loopAllocatedBytes bytes allocated by the media loop threads since start
 * @param codecAllocatedBytes of which inside Opus encode/decode calls
 */
public record MixerStats(double tickP50Micros, double tickP99Micros, double tickMaxMicros, long ticks,
                         long deadlineMisses, long packetsIn, long packetsOut, long packetsDropped,
                         long loopAllocatedBytes, long codecAllocatedBytes, long codecCalls,
                         int rooms, int participants) {
}
