package org.duet.mixer.backing;

import org.duet.mixer.mix.MixSource;

/**
 * A decoded backing track on the room's timeline, with transport controls: when playing, track
 * sample {@code i} sits at server position {@code start + i}; stopped, it is silent and remembers
 * where it stopped. Singers hear it in their mix-minus and the listener mix carries it aligned
 * with the voices. State changes arrive as absolute positions computed by the caller
 * ({@link BackingController}), so the page's picture and the loop's agree exactly.
 *
 * <p>Read and changed on the media loop only; the samples never change.
 */
public final class BackingPlayer implements MixSource {

    /** Fade at every start, stop and seek, so no transport action clicks. */
    private static final int FADE = 240;

    private final float[] samples;
    private boolean loop;
    private boolean playing;
    private long start;
    // The state before the last change, heard at positions before switchAt (outputs read behind
    // real time) and crossfaded into the new state over FADE samples after it.
    private boolean prevPlaying;
    private long prevStart;
    private long switchAt = Long.MIN_VALUE / 2;

    public BackingPlayer(float[] samples, boolean loop) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("backing track is empty");
        }
        this.samples = samples;
        this.loop = loop;
    }

    public int lengthSamples() {
        return samples.length;
    }

    /** From server position {@code at} on, plays so that track sample {@code offset} is at {@code at}. */
    public void playAt(long at, long offset) {
        change(at, true, at - offset);
    }

    /** From server position {@code at} on, silent (after a short fade). */
    public void stopAt(long at) {
        change(at, false, start);
    }

    private void change(long at, boolean nowPlaying, long newStart) {
        prevPlaying = playing;
        prevStart = start;
        switchAt = at;
        playing = nowPlaying;
        start = newStart;
    }

    public void setLoop(boolean loop) {
        this.loop = loop;
    }

    @Override
    public long completeThrough(long tickPosition) {
        return Long.MAX_VALUE; // the server makes it: never waits for anything
    }

    @Override
    public boolean isStale(long tickPosition) {
        // silent once stopped and every output (reading up to a second behind) is past the stop
        return !playing && (!prevPlaying || tickPosition > switchAt + FADE + 48_000);
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        for (int i = 0; i < count; i++) {
            long p = position + i;
            float v;
            if (p >= switchAt + FADE) {
                v = playing ? sample(p - start) : 0f;
            } else {
                float old = prevPlaying ? sample(p - prevStart) : 0f;
                if (p < switchAt) {
                    v = old;
                } else {
                    float w = (p - switchAt + 0.5f) / FADE;
                    v = old * (1f - w) + (playing ? sample(p - start) : 0f) * w;
                }
            }
            out[outOff + i] += gain * v;
        }
    }

    private float sample(long t) {
        if (t < 0) {
            return 0f;
        }
        if (t >= samples.length) {
            if (!loop) {
                return 0f;
            }
            t %= samples.length;
        }
        return samples[(int) t];
    }
}
