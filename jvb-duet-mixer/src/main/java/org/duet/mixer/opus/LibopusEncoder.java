package org.duet.mixer.opus;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;

/**
 * Opus encoder on the system libopus through JNA direct mapping; no Java allocation per frame
 * (PCM not at offset 0 and output not at offset 0 pass through preallocated scratch arrays).
 * Settings changes go through the variadic ctl binding, which does allocate a little: they are
 * rare. Create it only when {@link Libopus#isAvailable()}.
 */
public final class LibopusEncoder implements OpusEncoder {

    private static final int MAX_PACKET_BYTES = 4000;

    private final int channels;
    private final short[] pcmScratch;
    private final byte[] outScratch = new byte[MAX_PACKET_BYTES];
    private Pointer state;
    /** Frees the native state if the codec is dropped without close(). */
    private final Cleaner.Cleanable cleanable;

    public LibopusEncoder(OpusSettings settings) {
        if (!LibopusNative.isAvailable()) {
            throw new IllegalStateException("libopus not available: " + LibopusNative.loadError());
        }
        this.channels = settings.channels();
        this.pcmScratch = new short[OpusPacketInfo.MAX_PACKET_SAMPLES * channels];
        int[] error = new int[1];
        this.state = LibopusNative.opus_encoder_create(48_000, channels, settings.application().nativeValue, error);
        if (state == null || error[0] != OpusError.OK) {
            throw new IllegalStateException("opus_encoder_create failed: " + OpusError.name(error[0]));
        }
        Pointer created = state;
        this.cleanable = OpusNativeCleaner.CLEANER.register(this, () -> LibopusNative.opus_encoder_destroy(created));
        if (settings.application() == OpusApplication.VOIP) {
            ctl(LibopusNative.OPUS_SET_SIGNAL, LibopusNative.OPUS_SIGNAL_VOICE);
        }
        setBitrate(settings.bitrate());
        setComplexity(settings.complexity());
        setInbandFec(settings.fec(), settings.expectedLossPercent());
        setDtx(settings.dtx());
    }

    @Override
    public int encode(short[] pcm, int pcmOff, int samplesPerChannel, byte[] out, int outOff, int maxBytes) {
        if (state == null) {
            return OpusError.INVALID_STATE;
        }
        if (!OpusSettings.isValidFrameSize(samplesPerChannel) || pcmOff < 0
                || pcmOff + samplesPerChannel * channels > pcm.length) {
            return OpusError.BAD_ARG;
        }
        if (maxBytes < 1 || outOff < 0 || outOff + maxBytes > out.length) {
            return OpusError.BUFFER_TOO_SMALL;
        }
        short[] in = pcm;
        if (pcmOff != 0) {
            System.arraycopy(pcm, pcmOff, pcmScratch, 0, samplesPerChannel * channels);
            in = pcmScratch;
        }
        if (outOff == 0) {
            return LibopusNative.opus_encode(state, in, samplesPerChannel, out, maxBytes);
        }
        int n = LibopusNative.opus_encode(state, in, samplesPerChannel, outScratch, Math.min(maxBytes,
                MAX_PACKET_BYTES));
        if (n > 0) {
            System.arraycopy(outScratch, 0, out, outOff, n);
        }
        return n;
    }

    @Override
    public void setBitrate(int bitsPerSecond) {
        ctl(LibopusNative.OPUS_SET_BITRATE, bitsPerSecond);
    }

    @Override
    public void setComplexity(int complexity) {
        ctl(LibopusNative.OPUS_SET_COMPLEXITY, complexity);
    }

    @Override
    public void setInbandFec(boolean enabled, int expectedLossPercent) {
        ctl(LibopusNative.OPUS_SET_INBAND_FEC, enabled ? 1 : 0);
        ctl(LibopusNative.OPUS_SET_PACKET_LOSS_PERC, expectedLossPercent);
    }

    @Override
    public void setDtx(boolean enabled) {
        ctl(LibopusNative.OPUS_SET_DTX, enabled ? 1 : 0);
    }

    private void ctl(int request, int value) {
        if (state == null) {
            return;
        }
        int rc = LibopusNative.ctl().opus_encoder_ctl(state, request, value);
        if (rc != OpusError.OK) {
            throw new IllegalArgumentException("opus_encoder_ctl(" + request + ", " + value + ") failed: "
                    + OpusError.name(rc));
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
