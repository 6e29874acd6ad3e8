package org.duet.mixer.webrtc.sdp;

/**
 * An offer we cannot accept. {@link #getMessage()} is a human-readable reason meant to be shown
 * to the user by signaling (e.g. "the offer has no Opus codec in its audio section").
 */
public final class SdpException extends Exception {

    private static final long serialVersionUID = 1L;

    public SdpException(String reason) {
        super(reason);
    }

    static SdpException atLine(int lineNumber, String line, String reason) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return new SdpException("SDP line " + lineNumber + " (\"" + shown + "\"): " + reason);
    }
}
