package org.duet.mixer.webrtc.sdp;

import java.util.Locale;

/** An m-section's direction attribute (RFC 8866 section 6.7), from the point of view of its writer. */
public enum MediaDirection {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    /** The attribute name as written in SDP, e.g. "sendrecv". */
    public String attribute() {
        return name().toLowerCase(Locale.ROOT);
    }

    static MediaDirection fromAttribute(String name) {
        switch (name) {
            case "sendrecv": return SENDRECV;
            case "sendonly": return SENDONLY;
            case "recvonly": return RECVONLY;
            case "inactive": return INACTIVE;
            default: return null;
        }
    }

    static MediaDirection of(boolean sends, boolean receives) {
        if (sends) {
            return receives ? SENDRECV : SENDONLY;
        }
        return receives ? RECVONLY : INACTIVE;
    }
}
