package org.duet.mixer.output;

import org.duet.mixer.opus.OpusSettings;

/**
 * Builds encoders for a {@link MixOutput}'s new encoder classes off the media loop (codec state is
 * never allocated on the loop): the request returns at once, and the encoder arrives later through
 * {@link MixOutput#addLane} run on the loop. Until then the receiver stays in its current class.
 */
public interface EncoderSource {

    void requestEncoder(MixOutput output, OpusSettings settings);
}
