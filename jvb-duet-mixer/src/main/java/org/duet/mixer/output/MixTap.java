package org.duet.mixer.output;

/** Sees each frame an output mixed, after the limiter and before encoding. Called on the media loop. */
@FunctionalInterface
public interface MixTap {

    /**
     * @param pcm             mono 16-bit samples; valid only during the call
     * @param capturePosition timeline position (server samples) of the first sample
     */
    void mixed(short[] pcm, int samples, long capturePosition);
}
