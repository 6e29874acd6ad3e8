package org.duet.mixer.opus;

/**
 * An Opus encoder for one output stream at 48 kHz. PCM is interleaved 16-bit. All calls come
 * from one thread (the media loop). Settings may change between frames (adaptive bitrate).
 */
public interface OpusEncoder extends AutoCloseable {

    /**
     * Encodes one frame of {@code samplesPerChannel} (120, 240, 480, 960, 1920 or 2880 at 48 kHz).
     *
     * @return bytes written to {@code out}, or a negative {@link OpusError} code
     */
    int encode(short[] pcm, int pcmOff, int samplesPerChannel, byte[] out, int outOff, int maxBytes);

    void setBitrate(int bitsPerSecond);

    void setComplexity(int complexity);

    /** In-band FEC on/off and the loss the encoder should expect (0 to 100 percent). */
    void setInbandFec(boolean enabled, int expectedLossPercent);

    void setDtx(boolean enabled);

    int channels();

    @Override
    void close();
}
