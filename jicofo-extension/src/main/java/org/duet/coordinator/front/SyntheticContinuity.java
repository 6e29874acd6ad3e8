package org.duet.coordinator.front;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps each synthetic source one continuous stream for the bridge when the meeting moves to another
 * mixer.
 *
 * <p>The bridge copies a synthetic source's {@code chunk} and {@code timestamp} straight into the RTP
 * sequence number and timestamp it sends the clients (JVB 11146 {@code Conference.handleMediaMessage}),
 * and its SSRC rewriting keeps one fixed offset per source ({@code SsrcCache.kt}). A new mixer numbers
 * its streams from its own start, so without this a client's jitter buffer would see the timestamps
 * jump back by the duet's whole length and drop every packet of the new mixer as too old: the singers
 * would not hear each other again after a takeover.
 *
 * <p>Each source's numbers from a new mixer are shifted so that its first event continues where the
 * previous mixer stopped, with the time in between as a gap: the timestamp moves on by the wall time
 * that passed and the sequence by as many packets as that time held, which a client conceals like a
 * short loss. Frames of the first mixer pass unchanged. One writer at a time (the current mixer's
 * socket); the lock is never contended.
 */
final class SyntheticContinuity {

    /** More sources than this in one meeting are passed unchanged (a mixer sends three per duet). */
    static final int MAX_SOURCES = 64;
    private static final long CHUNK_MASK = 0x7FFF_FFFFL;
    private static final long TS_MASK = 0xFFFF_FFFFL;

    private static final class Source {
        Object from;
        boolean chunkRebased = true;
        boolean tsRebased = true;
        long chunkOffset;
        long tsOffset;
        long lastChunk = -1;
        long lastTs = -1;
        long tsPerChunk = 960;
        long lastNanos;
    }

    private final Map<String, Source> sources = new HashMap<>();

    /** {@code frame} as the bridge should get it from mixer link {@code from}. */
    synchronized String rewrite(Object from, String frame, EventKind kind, long nowNanos) {
        if (kind != EventKind.MEDIA && kind != EventKind.START) {
            return frame;
        }
        String tag = stringField(frame, "\"tag\":\"");
        if (tag == null) {
            return frame;
        }
        Source s = sources.get(tag);
        if (s == null) {
            if (sources.size() >= MAX_SOURCES) {
                return frame;
            }
            s = new Source();
            s.from = from;
            sources.put(tag, s);
        } else if (s.from != from) {
            s.from = from; // a new mixer: its first numbers of this source are rebased below
            s.chunkRebased = false;
            s.tsRebased = false;
        }
        Span ts = numberField(frame, "\"timestamp\":");
        Span chunk = kind == EventKind.MEDIA ? numberField(frame, "\"chunk\":") : null;
        long elapsedSamples = s.lastTs < 0 ? 0 : Math.max(0, (nowNanos - s.lastNanos) * 48 / 1_000_000);
        if (ts != null && !s.tsRebased) {
            s.tsOffset = s.lastTs + Math.max(elapsedSamples, 1) - ts.value;
            s.tsRebased = true;
        }
        if (chunk != null && !s.chunkRebased) {
            long missed = Math.max(1, Math.round((double) elapsedSamples / s.tsPerChunk));
            s.chunkOffset = s.lastChunk + missed - chunk.value;
            s.chunkRebased = true;
        }
        long outTs = ts == null ? -1 : (ts.value + s.tsOffset) & TS_MASK;
        long outChunk = chunk == null ? -1 : (chunk.value + s.chunkOffset) & CHUNK_MASK;
        if (kind == EventKind.MEDIA && chunk != null && ts != null) {
            if (s.lastChunk >= 0) {
                long dc = (outChunk - s.lastChunk) & CHUNK_MASK;
                long dt = (outTs - s.lastTs) & TS_MASK;
                if (dc == 1 && dt > 0 && dt <= 48_000) {
                    s.tsPerChunk = dt;
                }
            }
            s.lastChunk = outChunk;
            s.lastTs = outTs;
            s.lastNanos = nowNanos;
        }
        if ((s.tsOffset == 0 || ts == null) && (s.chunkOffset == 0 || chunk == null)) {
            return frame;
        }
        return replace(frame, chunk, outChunk, ts, outTs);
    }

    /** Where a number's digits sit in a frame, and its value. */
    private record Span(int start, int end, long value) {
    }

    private static String replace(String frame, Span chunk, long outChunk, Span ts, long outTs) {
        Span first = chunk;
        Span second = ts;
        long firstValue = outChunk;
        long secondValue = outTs;
        if (first == null || (second != null && second.start < first.start)) {
            first = ts;
            second = chunk;
            firstValue = outTs;
            secondValue = outChunk;
        }
        StringBuilder b = new StringBuilder(frame.length() + 8);
        b.append(frame, 0, first.start).append(firstValue);
        if (second == null) {
            b.append(frame, first.end, frame.length());
        } else {
            b.append(frame, first.end, second.start).append(secondValue).append(frame, second.end, frame.length());
        }
        return b.toString();
    }

    /** The text of a string field ({@code key} ends with the opening quote), or null. */
    private static String stringField(String frame, String key) {
        int k = frame.indexOf(key);
        if (k < 0) {
            return null;
        }
        int from = k + key.length();
        int to = frame.indexOf('"', from);
        return to < 0 || to - from > 256 ? null : frame.substring(from, to);
    }

    /** A non-negative integer field, written as a JSON number or a string of digits; null if absent or not one. */
    private static Span numberField(String frame, String key) {
        int k = frame.indexOf(key);
        if (k < 0) {
            return null;
        }
        int i = k + key.length();
        while (i < frame.length() && frame.charAt(i) == ' ') {
            i++;
        }
        if (i < frame.length() && frame.charAt(i) == '"') {
            i++;
        }
        int start = i;
        long v = 0;
        while (i < frame.length() && i - start < 18 && Character.isDigit(frame.charAt(i))) {
            v = v * 10 + (frame.charAt(i) - '0');
            i++;
        }
        return i == start ? null : new Span(start, i, v);
    }
}
