package org.duet.mixer.rehearsal;

/**
 * A refused rehearsal request: a code for programs (also the signaling error code), a sentence for
 * people, and the HTTP status the control API answers with.
 */
public final class RehearsalException extends Exception {

    private final String code;
    private final int status;

    public RehearsalException(String code, int status, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
