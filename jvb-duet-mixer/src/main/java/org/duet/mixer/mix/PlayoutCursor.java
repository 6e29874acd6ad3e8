package org.duet.mixer.mix;

/**
 * Where one output reads its sources on the capture timeline, tick by tick.
 *
 * <p>The cursor advances one tick per tick. It is steered by the observed slack: how far the
 * newest final audio of the slowest source runs ahead of what this tick reads.
 * <ul>
 *   <li>When a tick would read audio that is not final yet, the cursor steps back at once (more
 *       delay): a late read is never traded for a gap.</li>
 *   <li>It steps forward (less delay) only by slack that stayed spare through the whole history
 *       of the last few windows, not just the last one. A path that delivers in bursts (a loaded
 *       bridge or machine: audio late for a moment every second or so) would otherwise be chased
 *       both ways: forward by the spare slack of each quiet window, back at the next burst, each
 *       step a skip or a repeat the listener hears. With the longer memory the cursor settles on
 *       the delay that covers the bursts, and gives it back once they have stopped for the whole
 *       history.</li>
 * </ul>
 * This finds the smallest safe delay on its own, whatever the senders' packet sizes, the tick's
 * phase against their arrivals, and their jitter-buffer targets. Each step is crossfaded by the
 * output, so it is heard as a short blend, not a click.
 */
public final class PlayoutCursor {

    private final int tickSamples;
    private final int marginSamples;
    private final int hysteresisSamples;
    private final int windowTicks;
    /** Minimum slack of each of the last windows (ring). */
    private final long[] windowMinima;

    private boolean valid;
    private long position;
    private long jumpedFrom;
    private boolean jumped;
    private long minSlack = Long.MAX_VALUE;
    private int ticksInWindow;
    private int windowsSeen;
    private int nextWindow;
    private long underruns;
    private long steps;
    private boolean forwardHeld;

    /** A cursor whose forward steps look back one window only. */
    public PlayoutCursor(int tickSamples, int marginSamples, int hysteresisSamples, int windowTicks) {
        this(tickSamples, marginSamples, hysteresisSamples, windowTicks, 1);
    }

    /**
     * @param marginSamples     safety kept between the read and the newest final audio
     * @param hysteresisSamples spare slack tolerated before stepping forward
     * @param windowTicks       ticks per window of the slack history
     * @param historyWindows    how many windows in a row the slack must stay spare before the
     *                          cursor steps forward by the least of it
     */
    public PlayoutCursor(int tickSamples, int marginSamples, int hysteresisSamples, int windowTicks,
                         int historyWindows) {
        if (historyWindows < 1 || windowTicks < 1) {
            throw new IllegalArgumentException("windowTicks and historyWindows must be positive");
        }
        this.tickSamples = tickSamples;
        this.marginSamples = marginSamples;
        this.hysteresisSamples = hysteresisSamples;
        this.windowTicks = windowTicks;
        this.windowMinima = new long[historyWindows];
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
            forgetHistory();
            return position;
        }
        long slack = available - (position + tickSamples);
        if (slack < 0) {
            jumpTo(available - tickSamples - marginSamples);
            underruns++;
            // The history is of a delay that proved too short: start it again from this step.
            forgetHistory();
            return position;
        }
        minSlack = Math.min(minSlack, slack);
        if (++ticksInWindow >= windowTicks) {
            closeWindow();
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

    /**
     * While held, the cursor does not step forward (it still steps back at an underrun: audio that
     * is not final is never read). For a latency calibration: a forward step skips or fades the
     * click under it, and the singer's loop is measured on clicks that left the mixer whole.
     */
    public void holdForwardSteps(boolean hold) {
        forwardHeld = hold;
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

    private void closeWindow() {
        windowMinima[nextWindow] = minSlack;
        nextWindow = (nextWindow + 1) % windowMinima.length;
        windowsSeen = Math.min(windowsSeen + 1, windowMinima.length);
        minSlack = Long.MAX_VALUE;
        ticksInWindow = 0;
        if (windowsSeen < windowMinima.length || forwardHeld) {
            return;
        }
        long spare = Long.MAX_VALUE;
        for (long m : windowMinima) {
            spare = Math.min(spare, m);
        }
        if (spare > marginSamples + hysteresisSamples) {
            jumpTo(position + spare - marginSamples);
            // One step per history: a delay that shrinks gradually (a jitter buffer's target
            // falling after a disturbance) is given back in one or two steps, not in a ratchet of
            // small ones each time an old window leaves the history (seen on the Jitsi path:
            // forward 4.7, 13.6, 4.5 ms half a second apart).
            forgetHistory();
        }
    }

    private void jumpTo(long target) {
        jumpedFrom = position;
        position = target;
        jumped = true;
        steps++;
    }

    private void forgetHistory() {
        minSlack = Long.MAX_VALUE;
        ticksInWindow = 0;
        windowsSeen = 0;
        nextWindow = 0;
    }
}
