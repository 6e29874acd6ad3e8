package org.duet.mixer.signaling;

/**
 * Why the server refused a signaling message. The wire name goes into the {@code code} field of
 * an {@code error} message; the page maps codes to advice (see docs/signaling.md).
 */
public enum ErrorCode {
    BAD_JSON("bad-json"),
    MESSAGE_TOO_LARGE("message-too-large"),
    UNKNOWN_TYPE("unknown-type"),
    BAD_MESSAGE("bad-message"),
    BAD_ROLE("bad-role"),
    ROLE_TAKEN("role-taken"),
    DUPLICATE_ID("duplicate-id"),
    UNKNOWN_ROOM("unknown-room"),
    ROOM_FULL("room-full"),
    NOT_JOINED("not-joined"),
    ALREADY_JOINED("already-joined"),
    NEGOTIATION_FAILED("negotiation-failed"),
    WEBRTC_UNAVAILABLE("webrtc-unavailable"),
    RATE_LIMITED("rate-limited"),
    REMOVED("removed"),
    LIMIT_REACHED("limit-reached"),
    MEDIA_ENDED("media-ended"),
    FORBIDDEN("forbidden"),
    INTERNAL("internal");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
