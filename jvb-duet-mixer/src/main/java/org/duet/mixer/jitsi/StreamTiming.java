package org.duet.mixer.jitsi;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How evenly a stream of media frames moves, as a receiver's jitter buffer will judge it: each
 * frame's wall time (sent or arrived) minus its media time. The smallest such offset is the
 * stream's best case; how far a frame lags behind it is what a receiver must buffer for (a stall, a
 * burst, a backlog, timestamps that run slower than the clock).
 *
 * <p>Chromium's NetEq learns fast while a stream is young, so a stall in a stream's first seconds
 * holds a receiver's buffer up for about a minute: the log says when (the stream's age) each new
 * worst lag happened. One writer thread; stats read the volatile figures.
 */
final class StreamTiming {

    private static final Logger LOG = LoggerFactory.getLogger(StreamTiming.class);
    /** Lags under this are ordinary jitter and never logged. */
    private static final long LOG_FLOOR_NANOS = 60_000_000L;

    private final String what;
    private long firstNanos = Long.MIN_VALUE;
    private long bestOffsetNanos = Long.MAX_VALUE;
    private long loggedNanos = LOG_FLOOR_NANOS;
    private volatile long lagNanos;
    private volatile long maxLagNanos;
    private volatile long maxLagAgeNanos;
    // the stream's first frames (wall time since the first, media time), for the log of its first lag
    private static final int EARLY = 64;
    private final long[] earlyWall = new long[EARLY];
    private final long[] earlyMedia = new long[EARLY];
    private int early;

    StreamTiming(String what) {
        this.what = what;
    }

    /** One frame at {@code nowNanos} whose media time is {@code samples48k} (48 kHz units). */
    void note(long nowNanos, long samples48k) {
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = nowNanos;
        }
        if (early < EARLY) {
            earlyWall[early] = nowNanos - firstNanos;
            earlyMedia[early] = samples48k;
            early++;
        }
        long offset = nowNanos - samples48k * 1_000_000L / 48;
        if (offset < bestOffsetNanos) {
            bestOffsetNanos = offset;
        }
        long lag = offset - bestOffsetNanos;
        lagNanos = lag;
        if (lag > maxLagNanos) {
            maxLagNanos = lag;
            maxLagAgeNanos = nowNanos - firstNanos;
            if (lag >= loggedNanos) {
                boolean first = loggedNanos == LOG_FLOOR_NANOS;
                loggedNanos = lag * 3 / 2; // a handful of lines per stream at most
                LOG.info("{}: {} ms behind its best timing, {} s after its first frame{}", what,
                        lag / 1_000_000, String.format("%.2f", (nowNanos - firstNanos) / 1e9),
                        first ? "; its first frames (ms since the first: media ms): " + earlyFrames() : "");
            }
        }
    }

    private String earlyFrames() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < early; i++) {
            b.append(i == 0 ? "" : ", ").append(earlyWall[i] / 1_000_000).append(':')
                    .append((earlyMedia[i] - earlyMedia[0]) / 48);
        }
        return b.toString();
    }

    /** How far the last frame lagged behind the stream's best case, ms. */
    double lagMs() {
        return lagNanos / 1e6;
    }

    /** The most any frame lagged behind the stream's best case so far, ms. */
    double maxLagMs() {
        return maxLagNanos / 1e6;
    }

    /** The stream's age when its worst lag happened, s. */
    double maxLagAtS() {
        return maxLagAgeNanos / 1e9;
    }
}
