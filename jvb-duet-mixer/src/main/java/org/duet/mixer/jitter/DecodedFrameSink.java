package org.duet.mixer.jitter;

/** Receives decoded audio from a {@link JitterBuffer}, in media order. */
@FunctionalInterface
public interface DecodedFrameSink {

    /**
     * One decoded frame. {@code pcm} is interleaved and valid only during the call.
     * {@code extendedTimestamp} (48 kHz samples) is contiguous from frame to frame except after
     * an SSRC change or a re-anchor, where it jumps to a new, larger value.
     */
    void onFrame(long extendedTimestamp, short[] pcm, int samplesPerChannel, int channels, FrameKind kind);
}
