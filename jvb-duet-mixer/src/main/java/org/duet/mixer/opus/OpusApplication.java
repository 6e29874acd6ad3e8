package org.duet.mixer.opus;

/** The encoder's application mode; {@link #nativeValue} is libopus's constant. */
public enum OpusApplication {
    /** Speech-tuned (SILK/hybrid preferred); the only mode with useful in-band FEC at voice rates. */
    VOIP(2048),
    /** Music/general audio, favours CELT. */
    AUDIO(2049),
    /** CELT only, 2.5 ms lookahead instead of 6.5 ms: lowest algorithmic delay, no FEC. */
    RESTRICTED_LOWDELAY(2051);

    public final int nativeValue;

    OpusApplication(int nativeValue) {
        this.nativeValue = nativeValue;
    }
}
