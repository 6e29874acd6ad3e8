package org.duet.mixer.opus;

import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;

/**
 * Pure-Java Opus encoder (Concentus). Errors come back as negative {@link OpusError} codes.
 * Concentus allocates about 75 KB per 20 ms encode; where libopus is installed,
 * {@link LibopusEncoder} does the same work without allocating (see docs/opus.md).
 */
public final class ConcentusOpusEncoder implements OpusEncoder {

    private final int channels;
    private final io.github.jaredmdobson.concentus.OpusEncoder encoder;

    public ConcentusOpusEncoder(OpusSettings settings) {
        this.channels = settings.channels();
        try {
            this.encoder = new io.github.jaredmdobson.concentus.OpusEncoder(48_000, channels, toConcentus(
                    settings.application()));
        } catch (OpusException e) {
            throw new IllegalStateException("Concentus encoder init failed: " + e.getMessage(), e);
        }
        if (settings.application() == OpusApplication.VOIP) {
            encoder.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
        }
        setBitrate(settings.bitrate());
        setComplexity(settings.complexity());
        setInbandFec(settings.fec(), settings.expectedLossPercent());
        setDtx(settings.dtx());
    }

    private static io.github.jaredmdobson.concentus.OpusApplication toConcentus(OpusApplication app) {
        switch (app) {
            case VOIP: return io.github.jaredmdobson.concentus.OpusApplication.OPUS_APPLICATION_VOIP;
            case AUDIO: return io.github.jaredmdobson.concentus.OpusApplication.OPUS_APPLICATION_AUDIO;
            default: return io.github.jaredmdobson.concentus.OpusApplication.OPUS_APPLICATION_RESTRICTED_LOWDELAY;
        }
    }

    @Override
    public int encode(short[] pcm, int pcmOff, int samplesPerChannel, byte[] out, int outOff, int maxBytes) {
        if (!OpusSettings.isValidFrameSize(samplesPerChannel) || pcmOff < 0
                || pcmOff + samplesPerChannel * channels > pcm.length) {
            return OpusError.BAD_ARG;
        }
        if (maxBytes < 1 || outOff < 0 || outOff + maxBytes > out.length) {
            return OpusError.BUFFER_TOO_SMALL;
        }
        try {
            return encoder.encode(pcm, pcmOff, samplesPerChannel, out, outOff, maxBytes);
        } catch (OpusException e) {
            return OpusError.INTERNAL_ERROR;
        } catch (RuntimeException e) {
            encoder.resetState();
            return OpusError.INTERNAL_ERROR;
        }
    }

    @Override
    public void setBitrate(int bitsPerSecond) {
        encoder.setBitrate(bitsPerSecond);
    }

    @Override
    public void setComplexity(int complexity) {
        encoder.setComplexity(complexity);
    }

    @Override
    public void setInbandFec(boolean enabled, int expectedLossPercent) {
        encoder.setUseInbandFEC(enabled);
        encoder.setPacketLossPercent(expectedLossPercent);
    }

    @Override
    public void setDtx(boolean enabled) {
        encoder.setUseDTX(enabled);
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
