package org.duet.mixer.mix;

/**
 * Something a mix reads by capture time: a singer's decoded voice or the backing track. Positions
 * are samples of the server's 48 kHz clock.
 */
public interface MixSource {

    /**
     * One past the newest position that is final (decoded or concealed); reading beyond it would
     * read audio that has not arrived yet. {@link Long#MAX_VALUE} for sources that never wait.
     */
    long completeThrough(long tickPosition);

    /** Adds {@code gain * sample} for positions {@code [position, position + count)} into {@code out}. */
    void mixInto(long position, float gain, float[] out, int outOff, int count);

    /** True when the source has nothing recent to offer (not started, or stopped sending). */
    boolean isStale(long tickPosition);
}
