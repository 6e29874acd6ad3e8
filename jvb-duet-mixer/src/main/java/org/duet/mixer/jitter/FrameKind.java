package org.duet.mixer.jitter;

/** How a decoded frame handed to a {@link DecodedFrameSink} was produced. */
public enum FrameKind {
    /** Decoded from the packet that carried it. */
    NORMAL,
    /** Rebuilt from the in-band FEC (LBRR) data of the packet after it. */
    FEC,
    /** Packet loss concealment (or, after a long run of losses, zeros standing in for lost audio). */
    CONCEALED,
    /** Known silence: a DTX gap (sequence contiguous, timestamp jumps) or a sender that stopped after DTX. */
    SILENCE
}
