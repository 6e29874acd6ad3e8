package org.duet.mixer.rtcp;

/** Why {@link RtcpParser#parse} rejected a compound packet. {@link #NONE} means it is valid. */
public enum RtcpDropReason {
    /** Valid compound packet. */
    NONE,
    /** off/len do not describe a range inside the buffer (a caller bug, counted instead of thrown). */
    BAD_BOUNDS,
    /** Shorter than one 4-byte RTCP header. */
    TOO_SHORT,
    /** A packet's version field is not 2. */
    BAD_VERSION,
    /** Packet type outside the RTCP range 192..223 (RFC 5761 section 4). */
    BAD_PACKET_TYPE,
    /** Length fields do not add up to the datagram length (RFC 3550 A.2). */
    BAD_LENGTH,
    /** Padding on a packet other than the last one, or a padding count of 0 or longer than the packet. */
    BAD_PADDING,
    /** Strict mode only: the first packet is neither SR nor RR (RFC 3550 A.2; see RtcpParser on RFC 5506). */
    NOT_SR_OR_RR_FIRST,
    /** An SR or RR is too short for its header or its report count. */
    BAD_REPORT,
    /** An SDES chunk or item runs past its packet, or a chunk has no terminating null item. */
    BAD_SDES,
    /** A BYE is too short for its source count or its reason text. */
    BAD_BYE
}
