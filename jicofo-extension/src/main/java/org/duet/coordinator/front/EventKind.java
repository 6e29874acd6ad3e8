package org.duet.coordinator.front;

/**
 * The mediajson event type of a text frame, read from its first characters without parsing the JSON:
 * Jitsi's serializer (jicoco-mediajson, used by JVB's {@code Exporter}) writes {@code "event"} first, so
 * {@code {"event":"media",...}} is recognised in a few comparisons. Frames written differently fall back
 * to {@link #OTHER}: the relay forwards them anyway, it only needs the kind for replay and pings.
 */
enum EventKind {
    MEDIA, SOURCES, INFO, START, STOP, PING, PONG, SESSION_END, OTHER;

    private static final String KEY = "\"event\"";

    static EventKind of(String frame) {
        int n = Math.min(frame.length(), 64);
        int k = frame.indexOf(KEY);
        if (k < 0 || k > n) {
            return OTHER;
        }
        int i = k + KEY.length();
        while (i < frame.length() && (frame.charAt(i) == ' ' || frame.charAt(i) == ':')) {
            i++;
        }
        if (i >= frame.length() || frame.charAt(i) != '"') {
            return OTHER;
        }
        i++;
        if (frame.startsWith("media\"", i)) {
            return MEDIA;
        } else if (frame.startsWith("sources\"", i)) {
            return SOURCES;
        } else if (frame.startsWith("info\"", i)) {
            return INFO;
        } else if (frame.startsWith("start\"", i)) {
            return START;
        } else if (frame.startsWith("stop\"", i)) {
            return STOP;
        } else if (frame.startsWith("ping\"", i)) {
            return PING;
        } else if (frame.startsWith("pong\"", i)) {
            return PONG;
        } else if (frame.startsWith("session-end\"", i)) {
            return SESSION_END;
        }
        return OTHER;
    }
}
