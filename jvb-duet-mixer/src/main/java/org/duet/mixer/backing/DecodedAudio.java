package org.duet.mixer.backing;

/**
 * A decoded backing track: mono float samples at 48 kHz, ready for the mix.
 *
 * @param format        what the file was ("WAV", "FLAC", "Ogg Opus", "MP3")
 * @param sourceRate    the file's own sample rate
 * @param sourceChannels the file's channel count (downmixed to mono)
 */
public record DecodedAudio(float[] samples, String format, int sourceRate, int sourceChannels) {

    public double durationSeconds() {
        return samples.length / 48_000.0;
    }
}
