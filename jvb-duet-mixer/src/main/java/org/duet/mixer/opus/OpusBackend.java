package org.duet.mixer.opus;

import java.util.Locale;

/** Which Opus implementation {@link OpusCodecs} builds. */
public enum OpusBackend {
    /** Pure Java; always available. */
    CONCENTUS,
    /** The system libopus through JNA; falls back to Concentus (with a warning) when it does not load. */
    LIBOPUS,
    /** libopus when it loads, else Concentus, silently. */
    AUTO;

    /** Parses "concentus", "libopus" or "auto" (any case). */
    public static OpusBackend parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
