package org.duet.mixer.jitsi;

import org.duet.mixer.clock.ServerClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A measuring aid, off unless {@code -Dduet.debug.frames=true}: logs when each Opus frame of the
 * Jitsi transport arrived from the bridge and when it left again in a synthetic source, with a key
 * of the frame (the same key a page's encoded-frame worker records, js/jitsi/encoded-frames-worker.js).
 * A test that recorded when the same frames reached a page straight from the bridge and through Duet
 * can then split the export round trip into the way in (bridge -> front -> mixer), the mixer's own
 * time, and the way out (mixer -> front -> bridge -> page).
 *
 * <p>Lines: {@code frame in|out <source tag> <Unix time, microseconds> <key>}. With the flag off the
 * callers skip it entirely (a constant the JIT folds).
 */
final class FrameTrace {

    static final boolean ENABLED = Boolean.getBoolean("duet.debug.frames");
    private static final Logger LOG = LoggerFactory.getLogger(FrameTrace.class);

    private FrameTrace() {
    }

    static void in(String tag, byte[] payload, int off, int len, long arrivalNanos) {
        log("in", tag, payload, off, len, arrivalNanos);
    }

    static void out(String tag, byte[] payload, int off, int len, long sentNanos) {
        log("out", tag, payload, off, len, sentNanos);
    }

    private static void log(String way, String tag, byte[] payload, int off, int len, long nanos) {
        long key = key(payload, off, len);
        if (key != 0) {
            LOG.info("frame {} {} {} {}", way, tag, (ServerClock.unixNanosMinusNanoTime() + nanos) / 1000, key);
        }
    }

    /**
     * FNV-1a over the Opus frame (TOC with its frame-count code masked, then the frame bytes, stamp
     * padding left out) plus its length times 2^32: the same number for the same frame whatever stamp
     * either side wrote into its padding. 0: a packet with padding that is not a stamp.
     */
    static long key(byte[] b, int off, int len) {
        if (len < 1) {
            return 0;
        }
        int from = 1;
        int to = len;
        if ((b[off] & 0x3) == 3) {
            int pad = len >= 4 ? b[off + 2] & 0xFF : -1;
            if (len < 4 || b[off + 1] != 0x41 || (pad != 12 && pad != 28)) {
                return 0;
            }
            from = 3;
            to = len - pad;
        }
        int h = 0x811c9dc5 ^ (b[off] & 0xFC);
        for (int i = from; i < to; i++) {
            h = (h ^ (b[off + i] & 0xFF)) * 0x01000193;
        }
        return (h & 0xFFFF_FFFFL) + ((long) (to - from) << 32);
    }
}
