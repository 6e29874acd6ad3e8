package org.duet.mixer.backing;

/** An uploaded or named audio file that cannot be used; the message is a sentence for the singer. */
public final class BadAudioFileException extends Exception {

    /** Why: shown to people and carried as the error code in signaling and HTTP answers. */
    public enum Reason {
        /** Larger than the configured upload limit. */
        TOO_LARGE("file-too-large"),
        /** Longer than the configured duration limit. */
        TOO_LONG("file-too-long"),
        /** Not a format we read. */
        UNSUPPORTED("unsupported-format"),
        /** Looks like a known format but does not decode. */
        CORRUPT("corrupt-file"),
        /** Decodes to nothing. */
        EMPTY("empty-file");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public BadAudioFileException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
