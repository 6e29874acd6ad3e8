package org.duet.mixer.input;

/**
 * Sees a singer's decoded voice before it goes onto the timeline (echo detection,
 * {@code org.duet.mixer.echo}). Media loop only; must not allocate or block.
 */
public interface VoiceFilter {

    /** {@code n} mono samples, captured at server positions {@code position...}; may change them in place. */
    void process(float[] mono, int n, long position);

    /**
     * Samples by which {@link #process} delays the voice (constant for the filter's life): the
     * input places what it returns that much earlier, so the voice stays at its capture time.
     */
    default int delaySamples() {
        return 0;
    }
}
