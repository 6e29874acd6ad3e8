package org.duet.mixer.opus;

/**
 * Everything needed to build an encoder for one 48 kHz output stream.
 *
 * @param channels            1 or 2
 * @param bitrate             bits per second (6000 to 510000)
 * @param complexity          0 (fastest) to 10 (best)
 * @param fec                 in-band FEC (SILK LBRR); only effective in SILK/hybrid modes
 * @param expectedLossPercent loss the encoder plans FEC for, 0 to 100
 * @param dtx                 discontinuous transmission: tiny packets during silence
 * @param application         VOIP, AUDIO or RESTRICTED_LOWDELAY
 * @param frameSamples        samples per channel per frame: 120, 240, 480, 960, 1920 or 2880
 */
public record OpusSettings(int channels, int bitrate, int complexity, boolean fec, int expectedLossPercent,
                           boolean dtx, OpusApplication application, int frameSamples) {

    public OpusSettings {
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
        }
        if (bitrate < 6000 || bitrate > 510_000) {
            throw new IllegalArgumentException("bitrate out of range: " + bitrate);
        }
        if (complexity < 0 || complexity > 10) {
            throw new IllegalArgumentException("complexity out of range: " + complexity);
        }
        if (expectedLossPercent < 0 || expectedLossPercent > 100) {
            throw new IllegalArgumentException("expectedLossPercent out of range: " + expectedLossPercent);
        }
        if (application == null) {
            throw new IllegalArgumentException("application is required");
        }
        if (!isValidFrameSize(frameSamples)) {
            throw new IllegalArgumentException("frameSamples must be 2.5/5/10/20/40/60 ms at 48 kHz: " + frameSamples);
        }
    }

    /** Music-quality mono, 20 ms: the default for a mix output. */
    public static OpusSettings music(int channels) {
        return new OpusSettings(channels, channels == 2 ? 128_000 : 64_000, 9, false, 0, false,
                OpusApplication.AUDIO, 960);
    }

    /** Voice at 32 kb/s with FEC planned for 10 % loss, 20 ms. */
    public static OpusSettings voice(int channels) {
        return new OpusSettings(channels, 32_000, 9, true, 10, false, OpusApplication.VOIP, 960);
    }

    public OpusSettings withBitrate(int bitsPerSecond) {
        return new OpusSettings(channels, bitsPerSecond, complexity, fec, expectedLossPercent, dtx, application,
                frameSamples);
    }

    public OpusSettings withFec(boolean enabled, int lossPercent) {
        return new OpusSettings(channels, bitrate, complexity, enabled, lossPercent, dtx, application, frameSamples);
    }

    public OpusSettings withDtx(boolean enabled) {
        return new OpusSettings(channels, bitrate, complexity, fec, expectedLossPercent, enabled, application,
                frameSamples);
    }

    public OpusSettings withApplication(OpusApplication app) {
        return new OpusSettings(channels, bitrate, complexity, fec, expectedLossPercent, dtx, app, frameSamples);
    }

    public OpusSettings withFrameSamples(int samples) {
        return new OpusSettings(channels, bitrate, complexity, fec, expectedLossPercent, dtx, application, samples);
    }

    public OpusSettings withChannels(int n) {
        return new OpusSettings(n, bitrate, complexity, fec, expectedLossPercent, dtx, application, frameSamples);
    }

    public OpusSettings withComplexity(int c) {
        return new OpusSettings(channels, bitrate, c, fec, expectedLossPercent, dtx, application, frameSamples);
    }

    static boolean isValidFrameSize(int samples) {
        return samples == 120 || samples == 240 || samples == 480 || samples == 960 || samples == 1920
                || samples == 2880;
    }
}
