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
        // Usually the first "event" key is the one (JVB writes the type id first); a frame may carry
        // more than one (JVB 11146's sources event was seen carrying its kind in a later "event"
        // than the first), so every occurrence is tried, in order.
        for (int k = frame.indexOf(KEY); k >= 0; k = frame.indexOf(KEY, k + KEY.length())) {
            EventKind kind = at(frame, k + KEY.length());
            if (kind != OTHER) {
                return kind;
            }
        }
        return OTHER;
    }

    private static EventKind at(String frame, int i) {
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
