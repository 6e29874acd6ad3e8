package org.duet.mixer.opus;

/**
 * An Opus decoder for one stream at 48 kHz. PCM is interleaved 16-bit, {@link #channels()} per
 * sample frame. Implementations: {@code ConcentusOpusDecoder} (pure Java); a native libopus
 * backend can sit beside it. All calls are made from one thread (the media loop).
 */
public interface OpusDecoder extends AutoCloseable {

    /**
     * Decodes one Opus packet.
     *
     * @return samples per channel written to {@code pcm}, or a negative {@link OpusError} code
     */
    int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int maxSamplesPerChannel);

    /**
     * Recovers the frame that came just before {@code packet} from the packet's in-band FEC
     * (LBRR) data. Only meaningful when {@link OpusPacketInfo#hasInbandFec} is true.
     *
     * @param samplesPerChannel duration of the lost frame
     * @return samples per channel written, or a negative error code
     */
    int decodeFec(byte[] packet, int off, int len, short[] pcm, int pcmOff, int samplesPerChannel);

    /** Packet loss concealment for one missing frame of {@code samplesPerChannel}. */
    int conceal(short[] pcm, int pcmOff, int samplesPerChannel);

    /** Forgets all decoder state, e.g. after an SSRC change. */
    void reset();

    int channels();

    @Override
    void close();
}
