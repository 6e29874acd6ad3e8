package org.duet.mixer.backing;

/**
 * What everyone in a room sees of its backing track. {@code positionMs} was true at
 * {@code atEpochMs}; while {@code playing}, a page moves it on by its own clock.
 *
 * @param name       the file's name as uploaded
 * @param format     "WAV", "FLAC", "Ogg Opus", "MP3"
 * @param level      the track's level in every mix (linear, 0 to 4)
 * @param loadedBy   who uploaded it (a singer's name or id, or "operator")
 */
public record BackingState(String name, String format, long durationMs, boolean playing, long positionMs,
                           double atEpochMs, float level, boolean loop, String loadedBy) {
}
