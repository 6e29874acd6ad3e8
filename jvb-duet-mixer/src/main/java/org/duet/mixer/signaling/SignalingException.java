package org.duet.mixer.signaling;

/** A request the server refuses; becomes an {@code error} message on the socket, never a closed socket. */
public final class SignalingException extends Exception {

    private final ErrorCode code;

    public SignalingException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
