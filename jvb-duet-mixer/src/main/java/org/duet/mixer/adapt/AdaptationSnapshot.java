package org.duet.mixer.adapt;

/**
 * One receiver's (or one sender's) adaptation as of its last report, for stats, /metrics and the
 * page.
 *
 * @param bitrate        Opus bitrate chosen, bits/s
 * @param fec            in-band FEC on
 * @param lossHint       the packet-loss percentage the encoder plans FEC for
 * @param frameMs        frame duration
 * @param dtx            discontinuous transmission on
 * @param lossPercent    loss in the last report interval
 * @param cumulativeLost packets lost in total, as reported
 * @param jitterMs       interarrival jitter as reported
 * @param rttMs          round trip from LSR/DLSR, NaN when unknown
 * @param changes        how many times the settings changed
 * @param reason         the conditions behind the last change
 */
public record AdaptationSnapshot(int bitrate, boolean fec, int lossHint, double frameMs, boolean dtx,
                                 double lossPercent, long cumulativeLost, double jitterMs, double rttMs,
                                 long changes, String reason) {
}
