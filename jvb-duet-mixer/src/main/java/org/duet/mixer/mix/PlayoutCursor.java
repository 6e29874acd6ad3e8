package org.duet.mixer.mix;

/**
 * Where one output reads its sources on the capture timeline, tick by tick.
 *
 * <p>The cursor advances one tick per tick. It is steered by the observed slack: how far the
 * newest final audio of the slowest source runs ahead of what this tick reads. When a tick would
 * read audio that is not final yet, the cursor steps back at once (more delay); when the slack
 * stayed above the margin for a whole window, it steps forward by the spare amount (less delay).
 * This finds the smallest safe delay on its own, whatever the senders' packet sizes, the tick's
 * phase against their arrivals, and their jitter-buffer targets. Each step is crossfaded by the
 * output, so it is heard as a short blend, not a click.
 */
public final class PlayoutCursor {

    private final int tickSamples;
    private final int marginSamples;
    private final int hysteresisSamples;
    private final int windowTicks;

    private boolean valid;
    private long position;
    private long jumpedFrom;
    private boolean jumped;
    private long minSlack = Long.MAX_VALUE;
    private int ticksInWindow;
    private long underruns;
    private long steps;

    /**
     * @param marginSamples     safety kept between the read and the newest final audio
     * @param hysteresisSamples spare slack tolerated before stepping forward
     * @param windowTicks       how many ticks the slack must stay spare before stepping forward
     */
    public PlayoutCursor(int tickSamples, int marginSamples, int hysteresisSamples, int windowTicks) {
        this.tickSamples = tickSamples;
        this.marginSamples = marginSamples;
        this.hysteresisSamples = hysteresisSamples;
        this.windowTicks = windowTicks;
    }

    /**
     * Chooses where this tick reads.
     *
     * @param available the newest final position over the output's sources
     * @return the first position this tick reads; {@link #jumped()} tells whether the output
     *         must crossfade from {@link #jumpedFrom()}
     */
    public long next(long available) {
        jumped = false;
        if (!valid) {
            position = available - tickSamples - marginSamples;
            valid = true;
            resetWindow();
            return position;
        }
        long slack = available - (position + tickSamples);
        if (slack < 0) {
            jumpTo(available - tickSamples - marginSamples);
            underruns++;
            resetWindow();
            return position;
        }
        minSlack = Math.min(minSlack, slack);
        if (++ticksInWindow >= windowTicks) {
            if (minSlack > marginSamples + hysteresisSamples) {
                jumpTo(position + (minSlack - marginSamples));
            }
            resetWindow();
        }
        return position;
    }

    /** Called after the tick's audio was read: the next tick reads the following chunk. */
    public void advance() {
        position += tickSamples;
    }

    /** The loop skipped {@code ticks} ticks: the read moves on with the clock, as if they had run. */
    public void skip(long ticks) {
        if (valid && ticks > 0) {
            position += ticks * tickSamples;
        }
    }

    /** Forget the position, e.g. when the output's sources change. */
    public void invalidate() {
        valid = false;
    }

    public boolean jumped() {
        return jumped;
    }

    public long jumpedFrom() {
        return jumpedFrom;
    }

    public long position() {
        return position;
    }

    public long underruns() {
        return underruns;
    }

    public long steps() {
        return steps;
    }

    private void jumpTo(long target) {
        jumpedFrom = position;
        position = target;
        jumped = true;
        steps++;
    }

    private void resetWindow() {
        minSlack = Long.MAX_VALUE;
        ticksInWindow = 0;
    }
}
