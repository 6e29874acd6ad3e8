package org.duet.mixer.jitsi;

import java.util.Locale;

/** Why the Jitsi transport refused something the bridge (or someone pretending to be it) sent. */
public enum JitsiDropReason {
    /** Not JSON, or JSON of the wrong shape (an event that is not an object, a string where a number goes). */
    MALFORMED_JSON,
    /** An {@code event} this mixer does not handle (or none at all). */
    UNKNOWN_EVENT,
    /** A required field is missing (a media event without tag, chunk, timestamp or payload). */
    MISSING_FIELD,
    /** Media tagged with a source that was never started on this connection (or a synthetic name). */
    UNKNOWN_TAG,
    /** A requested synthetic name this mixer does not serve (anything but {@code .duet} and {@code .duetmix}). */
    UNKNOWN_NAME,
    /** A text message longer than {@code duet.jitsi.max-message-bytes}. */
    OVERSIZE_MESSAGE,
    /** A payload longer than one Opus packet can be. */
    OVERSIZE_PAYLOAD,
    /** A payload that is not base64 or not a valid Opus packet. */
    BAD_PAYLOAD,
    /** A {@code start} for anything but Opus at 48 kHz, and that source's media afterwards. */
    NON_OPUS,
    /** A voice the room has no singer slot for ({@code duet.rooms.max-singers}). */
    TOO_MANY_VOICES,
    /** Media for a source that a newer connection of the same meeting now carries. */
    SUPERSEDED,
    /** An outgoing event dropped because the connection's send queue was full (a slow bridge). */
    SEND_QUEUE_FULL,
    /** A WebSocket upgrade without the right {@code Authorization: Bearer} secret. */
    BAD_SECRET,
    /** A WebSocket upgrade to a path that is not {@code /translate/<meeting id>}. */
    BAD_MEETING_ID;

    /** The name used in metrics and stats, e.g. {@code malformed-json}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
