package org.duet.mixer.opus;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;

/**
 * Opus decoder on the system libopus through JNA direct mapping. No Java allocation per call:
 * input that does not start at offset 0 and output that does not start at offset 0 go through
 * preallocated scratch arrays (a copy of at most a few KB). Create it only when
 * {@link Libopus#isAvailable()}; use {@link OpusCodecs} to pick a backend.
 */
public final class LibopusDecoder implements OpusDecoder {

    private static final int MAX_PACKET_BYTES = 8192;

    private final int channels;
    private final byte[] packetScratch = new byte[MAX_PACKET_BYTES];
    private final short[] pcmScratch;
    private Pointer state;
    /** Frees the native state if the codec is dropped without close(). */
    private final Cleaner.Cleanable cleanable;

    public LibopusDecoder(int channels) {
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
        }
        if (!LibopusNative.isAvailable()) {
            throw new IllegalStateException("libopus not available: " + LibopusNative.loadError());
        }
        this.channels = channels;
        this.pcmScratch = new short[OpusPacketInfo.MAX_PACKET_SAMPLES * channels];
        int[] error = new int[1];
        this.state = LibopusNative.opus_decoder_create(48_000, channels, error);
        if (state == null || error[0] != OpusError.OK) {
            throw new IllegalStateException("opus_decoder_create failed: " + OpusError.name(error[0]));
        }
        Pointer created = state;
        this.cleanable = OpusNativeCleaner.CLEANER.register(this, () -> LibopusNative.opus_decoder_destroy(created));
    }

    @Override
    public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int maxSamplesPerChannel) {
        int samples = OpusPacketInfo.totalSamples(packet, off, len);
        if (samples < 0) {
            return samples;
        }
        if (samples > maxSamplesPerChannel || pcmOff < 0 || pcmOff + samples * channels > pcm.length) {
            return OpusError.BUFFER_TOO_SMALL;
        }
        return call(packet, off, len, pcm, pcmOff, samples, 0);
    }

    @Override
    public int decodeFec(byte[] packet, int off, int len, short[] pcm, int pcmOff, int samplesPerChannel) {
        if (OpusPacketInfo.validate(packet, off, len) < 0) {
            return OpusError.INVALID_PACKET;
        }
        if (!ConcentusOpusDecoder.validFrameSize(samplesPerChannel) || pcmOff < 0
                || pcmOff + samplesPerChannel * channels > pcm.length) {
            return OpusError.BAD_ARG;
        }
        // frame_size must be exactly the lost duration, else libopus pads with concealment
        return call(packet, off, len, pcm, pcmOff, samplesPerChannel, 1);
    }

    @Override
    public int conceal(short[] pcm, int pcmOff, int samplesPerChannel) {
        if (!ConcentusOpusDecoder.validFrameSize(samplesPerChannel) || pcmOff < 0
                || pcmOff + samplesPerChannel * channels > pcm.length) {
            return OpusError.BAD_ARG;
        }
        return call(null, 0, 0, pcm, pcmOff, samplesPerChannel, 0);
    }

    private int call(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, int fec) {
        if (state == null) {
            return OpusError.INVALID_STATE;
        }
        byte[] in = packet;
        if (packet != null && off != 0) {
            if (len > MAX_PACKET_BYTES) {
                return OpusError.INVALID_PACKET;
            }
            System.arraycopy(packet, off, packetScratch, 0, len);
            in = packetScratch;
        }
        short[] out = pcmOff == 0 ? pcm : pcmScratch;
        int n = LibopusNative.opus_decode(state, in, len, out, frameSize, fec);
        if (n > 0 && out != pcm) {
            System.arraycopy(pcmScratch, 0, pcm, pcmOff, n * channels);
        }
        return n;
    }

    @Override
    public void reset() {
        if (state != null) {
            LibopusNative.ctl().opus_decoder_ctl(state, LibopusNative.OPUS_RESET_STATE);
        }
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public void close() {
        if (state != null) {
            state = null;
            cleanable.clean(); // runs the destroy exactly once
        }
    }
}
