package org.duet.mixer.signaling;

/**
 * One trickled ICE candidate as the browser's RTCIceCandidate carries it. An empty
 * {@code candidate} means end of candidates.
 */
public record IceCandidate(String candidate, String sdpMid, int sdpMLineIndex) {

    public boolean isEndOfCandidates() {
        return candidate == null || candidate.isEmpty();
    }
}
