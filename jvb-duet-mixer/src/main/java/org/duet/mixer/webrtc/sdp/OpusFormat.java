package org.duet.mixer.webrtc.sdp;

/**
 * The Opus payload the offer proposed and its fmtp parameters (RFC 7587 section 6.1). They say
 * what the offerer (the browser) wants to receive: {@code stereo=1} asks for stereo,
 * {@code useinbandfec=1} says it can use in-band FEC, {@code usedtx=1} asks the sender to use DTX,
 * {@code minptime} is the shortest frame it wants.
 */
public record OpusFormat(int payloadType, boolean stereo, boolean inbandFec, boolean dtx,
                         int minPtimeMs, int maxPlaybackRate) {

    /** Channels to encode towards the browser: 2 only when it asked for stereo. */
    public int channels() {
        return stereo ? 2 : 1;
    }
}
