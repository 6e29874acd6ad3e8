package org.duet.mixer.room;

import java.util.Locale;
import java.util.Objects;

/**
 * What a participant does in a duet. Singers send their voice and hear a mix-minus (everyone but
 * themselves); listeners send nothing and hear the one combined listener mix.
 *
 * @param label for singers, a short name such as "a" or "b"; empty for listeners
 */
public record Role(Kind kind, String label) {

    public enum Kind { SINGER, LISTENER }

    public static final Role LISTENER = new Role(Kind.LISTENER, "");

    public Role {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(label, "label");
        if (kind == Kind.SINGER && !label.matches("[a-z0-9]{1,16}")) {
            throw new IllegalArgumentException("singer label must be 1-16 lowercase letters or digits: '" + label + "'");
        }
    }

    public static Role singer(String label) {
        return new Role(Kind.SINGER, label.toLowerCase(Locale.ROOT));
    }

    /** Parses the wire form: {@code singer-a}, {@code singer-b}, ..., or {@code listener}. */
    public static Role parse(String wire) {
        if (wire == null) {
            throw new IllegalArgumentException("role is missing");
        }
        String w = wire.trim().toLowerCase(Locale.ROOT);
        if (w.equals("listener")) {
            return LISTENER;
        }
        if (w.startsWith("singer-") && w.length() > 7) {
            return singer(w.substring(7));
        }
        throw new IllegalArgumentException("unknown role '" + wire + "' (expected singer-a, singer-b or listener)");
    }

    public boolean isSinger() {
        return kind == Kind.SINGER;
    }

    public String wireName() {
        return kind == Kind.LISTENER ? "listener" : "singer-" + label;
    }

    @Override
    public String toString() {
        return wireName();
    }
}
