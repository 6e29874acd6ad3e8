package org.duet.mixer.adapt;

import com.typesafe.config.Config;

/**
 * The bounds and thresholds of per-receiver adaptation ({@code duet.adapt} in reference.conf).
 *
 * @param enabled          adapt at all (off: every receiver gets the configured encoder)
 * @param minBitrate       lowest Opus bitrate we choose, bits/s (default 24 kb/s)
 * @param maxBitrate       highest, bits/s (default 128 kb/s)
 * @param lossOnPercent    loss in one report at or above which FEC turns on
 * @param lossSteps        loss hints the encoder is given, ascending (a receiver's hint is the
 *                         smallest step at or above its loss): the quantisation that lets
 *                         receivers on similar networks share one encoder
 * @param recoveryHoldMs   how long loss must stay below a step before we step back down
 */
public record AdaptationConfig(boolean enabled, int minBitrate, int maxBitrate, double lossOnPercent,
                               int[] lossSteps, long recoveryHoldMs) {

    public AdaptationConfig {
        if (minBitrate < 6000 || maxBitrate > 510_000 || minBitrate > maxBitrate) {
            throw new IllegalArgumentException("duet.adapt bitrates must satisfy 6000 <= min <= max <= 510000");
        }
        if (lossSteps.length == 0) {
            throw new IllegalArgumentException("duet.adapt.loss-steps must not be empty");
        }
        for (int i = 0; i < lossSteps.length; i++) {
            if (lossSteps[i] < 1 || lossSteps[i] > 100 || (i > 0 && lossSteps[i] <= lossSteps[i - 1])) {
                throw new IllegalArgumentException("duet.adapt.loss-steps must ascend within 1..100");
            }
        }
    }

    public static AdaptationConfig defaults() {
        return new AdaptationConfig(true, 24_000, 128_000, 2.0, new int[] {5, 10, 20, 30}, 4000);
    }

    /** Reads {@code duet.adapt} (every key has a default in reference.conf). */
    public static AdaptationConfig from(Config raw) {
        Config c = raw.getConfig("duet.adapt");
        return new AdaptationConfig(c.getBoolean("enabled"), c.getInt("min-bitrate"), c.getInt("max-bitrate"),
                c.getDouble("loss-on-percent"), c.getIntList("loss-steps").stream().mapToInt(Integer::intValue).toArray(),
                c.getDuration("recovery-hold").toMillis());
    }

    public int clampBitrate(int bps) {
        return Math.max(minBitrate, Math.min(maxBitrate, bps));
    }
}
