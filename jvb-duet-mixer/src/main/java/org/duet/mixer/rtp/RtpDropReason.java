package org.duet.mixer.rtp;

/** Why {@link RtpPacket#parse} rejected a buffer. {@link #NONE} means the packet is valid. */
public enum RtpDropReason {
    /** Valid packet. */
    NONE,
    /** off/len do not describe a range inside the buffer (a caller bug, counted instead of thrown). */
    BAD_BOUNDS,
    /** Shorter than the 12-byte fixed header. */
    TOO_SHORT,
    /** Version field is not 2. */
    BAD_VERSION,
    /** Padding bit set but the padding count is 0 or runs into the header. */
    BAD_PADDING,
    /** The CSRC list runs past the end of the packet. */
    BAD_CSRC,
    /** The header extension block runs past the end of the packet. */
    BAD_EXTENSION,
    /** An RFC 8285 element inside the extension block overruns the block. */
    BAD_EXTENSION_ELEMENT
}
