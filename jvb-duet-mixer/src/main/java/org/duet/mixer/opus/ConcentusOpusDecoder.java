package org.duet.mixer.opus;

import io.github.jaredmdobson.concentus.OpusException;

/**
 * Pure-Java Opus decoder (Concentus, a libopus 1.1.2 port). Malformed packets are rejected by
 * {@link OpusPacketInfo#validate} before they reach the codec, and any exception the codec still
 * throws is turned into a negative {@link OpusError} code so nothing escapes the media loop.
 * Concentus allocates internally on every call (about 28 KB per 20 ms frame); see docs/opus.md.
 */
public final class ConcentusOpusDecoder implements OpusDecoder {

    private final int channels;
    private final io.github.jaredmdobson.concentus.OpusDecoder decoder;

    public ConcentusOpusDecoder(int channels) {
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
        }
        this.channels = channels;
        try {
            this.decoder = new io.github.jaredmdobson.concentus.OpusDecoder(48_000, channels);
        } catch (OpusException e) {
            throw new IllegalStateException("Concentus decoder init failed: " + e.getMessage(), e);
        }
    }

    @Override
    public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int maxSamplesPerChannel) {
        int samples = OpusPacketInfo.totalSamples(packet, off, len);
        if (samples < 0) {
            return samples;
        }
        if (samples > maxSamplesPerChannel || pcmOff + samples * channels > pcm.length) {
            return OpusError.BUFFER_TOO_SMALL;
        }
        return call(packet, off, len, pcm, pcmOff, samples, false);
    }

    @Override
    public int decodeFec(byte[] packet, int off, int len, short[] pcm, int pcmOff, int samplesPerChannel) {
        if (OpusPacketInfo.validate(packet, off, len) < 0) {
            return OpusError.INVALID_PACKET;
        }
        if (!validFrameSize(samplesPerChannel) || pcmOff + samplesPerChannel * channels > pcm.length) {
            return OpusError.BAD_ARG;
        }
        return call(packet, off, len, pcm, pcmOff, samplesPerChannel, true);
    }

    @Override
    public int conceal(short[] pcm, int pcmOff, int samplesPerChannel) {
        if (!validFrameSize(samplesPerChannel) || pcmOff + samplesPerChannel * channels > pcm.length) {
            return OpusError.BAD_ARG;
        }
        return call(null, 0, 0, pcm, pcmOff, samplesPerChannel, false);
    }

    private int call(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec) {
        try {
            return decoder.decode(packet, off, len, pcm, pcmOff, frameSize, fec);
        } catch (OpusException e) {
            return OpusError.INTERNAL_ERROR;
        } catch (RuntimeException e) { // a codec bug on hostile input must not kill the media loop
            decoder.resetState();
            return OpusError.INTERNAL_ERROR;
        }
    }

    /** Concealment and FEC work in multiples of 2.5 ms, up to 120 ms. */
    static boolean validFrameSize(int samplesPerChannel) {
        return samplesPerChannel > 0 && samplesPerChannel % 120 == 0
                && samplesPerChannel <= OpusPacketInfo.MAX_PACKET_SAMPLES;
    }

    @Override
    public void reset() {
        decoder.resetState();
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public void close() {
        // nothing native to free
    }
}
