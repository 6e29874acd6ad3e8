package org.duet.mixer.webrtc.srtp;

/** What became of one packet given to {@link SrtpSession}. */
public enum SrtpResult {
    OK,
    /** Authentication tag did not verify (tampered, wrong key, or not SRTP at all). */
    AUTH_FAILED,
    /** Already received, or older than the replay window. */
    REPLAYED,
    /** Too short, malformed, or an SSRC beyond the per-session limit. */
    INVALID
}
