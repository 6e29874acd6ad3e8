package org.duet.mixer.jitsi;

/**
 * A synthetic source the bridge asks for, {@code <source>.<name>}, and the mix it carries:
 * <ul>
 *   <li>{@code <X>.duet}: the mix-minus of the singer who is not X, so X's voice (plus the backing
 *       track) for X's partner; the partner's own voice is never in it.</li>
 *   <li>{@code <A>.duetmix}: the listener mix, every singer aligned by capture time.</li>
 * </ul>
 * Any other name is not ours ({@link #parse} returns null; the caller counts it).
 */
record SyntheticName(String name, String source, Kind kind) {

    enum Kind { DUET, DUETMIX }

    /** Names, like the bridge's source names, are plain ASCII; anything else is refused. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,62}");

    static SyntheticName parse(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return null;
        }
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String suffix = name.substring(dot + 1);
        Kind kind = switch (suffix) {
            case "duet" -> Kind.DUET;
            case "duetmix" -> Kind.DUETMIX;
            default -> null;
        };
        return kind == null ? null : new SyntheticName(name, name.substring(0, dot), kind);
    }

    /** Whether a source name (a tag) is one we accept as a participant id. */
    static boolean isValidSource(String tag) {
        return tag != null && NAME.matcher(tag).matches();
    }
}
