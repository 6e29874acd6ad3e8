package org.duet.mixer.webrtc.sdp;

/** The {@code a=setup} attribute (RFC 4145, RFC 8842): who starts the DTLS handshake. */
public enum SetupRole {
    /** Starts the DTLS handshake: the DTLS client. */
    ACTIVE,
    /** Waits for the handshake: the DTLS server. */
    PASSIVE,
    /** Either; only valid in an offer. */
    ACTPASS,
    HOLDCONN;

    public String attribute() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static SetupRole fromAttribute(String value) {
        switch (value) {
            case "active": return ACTIVE;
            case "passive": return PASSIVE;
            case "actpass": return ACTPASS;
            case "holdconn": return HOLDCONN;
            default: return null;
        }
    }
}
