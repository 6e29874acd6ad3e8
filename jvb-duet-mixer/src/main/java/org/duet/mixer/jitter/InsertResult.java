package org.duet.mixer.jitter;

/** What {@link JitterBuffer#insert} did with a packet. Every value except ACCEPTED and SSRC_CHANGED is a drop. */
public enum InsertResult {
    /** Stored for decoding. */
    ACCEPTED,
    /** Same sequence number as a packet already stored or already played. */
    DUPLICATE,
    /** Its media time was already played out (concealed); counted, and it raises the target delay. */
    LATE,
    /** Beyond the preallocated window (sequence or media time); a run of these re-anchors the stream. */
    TOO_FAR_AHEAD,
    /** Payload larger than a slot. */
    OVERSIZE,
    /** Not a valid Opus packet (RFC 6716 section 3.4), or empty. */
    MALFORMED,
    /** First packet of a new SSRC: the buffer was flushed, the decoder reset and the timeline re-anchored. */
    SSRC_CHANGED
}
