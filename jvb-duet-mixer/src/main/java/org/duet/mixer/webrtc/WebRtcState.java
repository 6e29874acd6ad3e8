package org.duet.mixer.webrtc;

/** Where a browser connection is. Moves forward only: NEW, CONNECTING, CONNECTED, then FAILED or CLOSED. */
public enum WebRtcState {
    /** Answer sent; no authenticated ICE check yet. */
    NEW,
    /** ICE checks arrive; DTLS handshake in progress. */
    CONNECTING,
    /** DTLS done, SRTP keys in place: media flows. */
    CONNECTED,
    /** ICE timed out, consent expired, DTLS failed (e.g. fingerprint mismatch): see the failure reason. */
    FAILED,
    /** Closed by us or by the browser's close_notify. */
    CLOSED;

    boolean isFinal() {
        return this == FAILED || this == CLOSED;
    }
}
