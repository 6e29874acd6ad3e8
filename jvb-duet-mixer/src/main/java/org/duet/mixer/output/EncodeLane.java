package org.duet.mixer.output;

import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/**
 * One encoder of a {@link MixOutput} and the subscribers that receive what it encodes. An output
 * has one lane per distinct encoder setting its receivers need (an "encoder class": receivers on
 * similar networks get the same settings, so they share one encode). A lane whose frames are longer
 * than the tick gathers ticks until a frame is full (20 ms frames from a 10 ms tick).
 *
 * <p>Owned by the media loop thread; nothing allocates per tick.
 */
final class EncodeLane {

    final OpusSettings settings;
    final OpusEncoder encoder;
    /** Samples per channel in the frame being gathered (the default lane's follows the room's tick). */
    int frameSamples;
    final short[] pcm;
    /** Interleaved samples gathered so far for the current frame (per channel). */
    int gathered;
    /** The output timestamp of the first sample of the frame being gathered. */
    long frameTimestamp;
    OutputSubscriber[] subscribers = new OutputSubscriber[0];
    long framesEncoded;

    /** @param settings null for an output's default encoder built without known settings */
    EncodeLane(OpusSettings settings, OpusEncoder encoder, int frameSamples) {
        this(settings, encoder, frameSamples, frameSamples);
    }

    /** @param capacitySamples the longest frame this lane may gather (per channel) */
    EncodeLane(OpusSettings settings, OpusEncoder encoder, int frameSamples, int capacitySamples) {
        this.settings = settings;
        this.encoder = encoder;
        this.frameSamples = frameSamples;
        this.pcm = new short[Math.max(frameSamples, capacitySamples) * Math.max(1, encoder.channels())];
    }

    /** Sets the length of the next frame; only between frames (nothing gathered), within capacity. */
    void nextFrameSamples(int samples) {
        if (gathered == 0 && samples > 0 && samples * Math.max(1, encoder.channels()) <= pcm.length) {
            frameSamples = samples;
        }
    }

    int channels() {
        return encoder.channels();
    }

    /**
     * Appends one tick of mono PCM (duplicated into both channels for a stereo encoder).
     *
     * @return true when a frame is full and ready to encode
     */
    boolean append(short[] mono, int samples, long tickTimestamp) {
        if (gathered == 0) {
            frameTimestamp = tickTimestamp;
        }
        int n = Math.min(samples, frameSamples - gathered);
        if (encoder.channels() == 2) {
            for (int i = 0; i < n; i++) {
                short v = mono[i];
                pcm[2 * (gathered + i)] = v;
                pcm[2 * (gathered + i) + 1] = v;
            }
        } else {
            System.arraycopy(mono, 0, pcm, gathered, n);
        }
        gathered += n;
        return gathered >= frameSamples;
    }

    /** Drops a partly gathered frame (the output switched to forwarding or the mix jumped). */
    void restart() {
        gathered = 0;
    }
}
