package org.duet.mixer.sync;

import org.duet.mixer.mix.MixSource;

/**
 * One singer's latency calibration: the server plays {@link ClickPattern} into that singer's mix
 * and looks for it in the singer's returned audio (through their speakers into the microphone,
 * or the singer clapping on the clicks with headphones). Both ends are positions on the capture
 * timeline, so what it measures is the whole loop, content to capture: our mix's read delay,
 * the network both ways, the page's playout, the room (or the singer's reaction), the capture.
 *
 * <pre>
 *   pattern content at position p  --mix read delay D--> sent --> ear --> mouth --> captured at c
 *   loop = c - p        round trip (send to capture) = loop - D
 * </pre>
 * The read delay D of the singer's own mix is recorded while the clicks play, so the loop can be
 * re-stated later for another D ({@link #loopSamples(long, long)}).
 *
 * <p>Owned by the media loop; the recording buffer is allocated once, at construction (on the
 * thread that builds the room's sync state, never per tick).
 */
public final class LatencyCalibration {

    /** Longest loop looked for: 1 s. */
    public static final int MAX_LOOP_SAMPLES = 48_000;
    /**
     * A train found before the whole window is recorded is taken once the recording reaches this far
     * past its last click: a stronger train later than that (an echo of the room) cannot compete,
     * and the singer is calibrated about a second sooner than the longest loop would allow.
     */
    private static final int EARLY_GUARD_SAMPLES = 48 * 200;
    private static final int EARLY_TRY_SAMPLES = 48 * 50;
    /**
     * The first three clicks' return windows (each click's onset up to the longest loop after it):
     * once these are recorded and no two of them hold anything that stands out as those clicks,
     * nothing click-like came back (a fake or muted microphone, headphones and no clapping), and the
     * calibration ends there instead of keeping the singer on clicks alone for the whole window.
     * Three, not two: one lost packet takes a click or its clap (2 % loss each way: about one train in
     * twelve lost click 1 or 2), and a singer who does clap must not be told nothing came back (that
     * verdict is not retried).
     */
    static final int FIRST_THREE_RETURNED = ClickPattern.OFFSETS[2] + MAX_LOOP_SAMPLES + ClickPattern.CLICK_SAMPLES
            + 48 * 55;
    /** The message the page shows when nothing click-like came back. */
    public static final String NOT_HEARD_BACK = "calibration failed: clicks not heard back (the microphone returned"
            + " nothing like the first clicks; with headphones, clap on each click, or play them through speakers)";
    /** How far off its place a click may come back and still count as heard back: 50 ms. */
    private static final int FIRST_CLICKS_TOLERANCE = 48 * 50;
    /** Give up when the returned audio did not cover the window this long after it should have. */
    private static final long GIVE_UP_SAMPLES = 48_000 * 3;

    /** Where a calibration stands. */
    public enum State { IDLE, PLAYING, DONE, FAILED }

    /** The last outcome, for the page: read from any thread. */
    public record Outcome(State state, double loopMs, double roundTripMs, double spreadMs, String message,
                          long completedAtNanos, int attempts) {
    }

    private final ClickPattern pattern = new ClickPattern();
    /** The window: the pattern, the longest loop and 100 ms, after the first click. */
    private static final int WINDOW_SAMPLES = ClickPattern.LENGTH + MAX_LOOP_SAMPLES + 4_800;
    /**
     * How much later the clicks may be played than their places (a starved media loop skipped their
     * ticks, {@link ClickPattern}) with the window moving along: 2 s. A stall of 3 s during a train
     * was seen at load 17 (2026-12-02); moved further, the train is refused and tried again.
     */
    private static final int MAX_MOVE_SAMPLES = 48_000 * 2;
    private final float[] recording = new float[WINDOW_SAMPLES + MAX_MOVE_SAMPLES];
    private final ClickTrainDetector detector = new ClickTrainDetector(recording.length);
    private State state = State.IDLE;
    private long start;
    private long copiedThrough;
    private long mixDelayWhilePlaying = -1;
    /** The singer's mix read delay when each click was read (the cursor may step between clicks). */
    private final long[] clickReadDelay = new long[ClickPattern.OFFSETS.length];
    private final int[] clickOffsets = new int[ClickPattern.OFFSETS.length];
    /** The offsets of the clicks the mix sent whole, by how many it sent (allocated once). */
    private final int[][] sentOffsets = new int[ClickPattern.OFFSETS.length + 1][];
    /**
     * At least this many clicks must have left whole for the train to be looked for. A media loop
     * that falls far behind skips ticks (engine/MediaLoop), and a click in a skipped tick never
     * leaves: on 2026-12-02 a starved mixer sent 0 to 1 of 6 clicks per train, and every one was
     * refused as "not heard back". Four of the uneven pattern still match at one lag only.
     */
    static final int MIN_CLICKS_SENT = 4;

    {
        for (int k = 0; k < sentOffsets.length; k++) {
            sentOffsets[k] = new int[k];
        }
    }
    private int clicksRead;
    /** The loudest sample of each click in the singer's mix as it was encoded (0: never sent). */
    private final float[] sentPeak = new float[ClickPattern.OFFSETS.length];
    private long lastNotedRead = Long.MIN_VALUE;
    private long stepsAtStart = -1;
    private long skippedAtStart = -1;
    private long stepsNow;
    private long skippedNow;
    private int triedThrough;
    private double loopSamples = Double.NaN;
    private long mixDelayAtCalibration;
    private long transitAtCalibration;
    private long transitNow;
    private long lastFinal;
    private int attempts;
    private boolean checkedFirstClicks;
    private boolean notHeardBack;
    private boolean mixerFellBehind;
    private volatile Outcome outcome = new Outcome(State.IDLE, Double.NaN, Double.NaN, Double.NaN,
            "not calibrated yet", 0, 0);

    /** The clicks, to be mixed into the singer's own output while {@link #playing()}. */
    public MixSource clicks() {
        return pattern;
    }

    public boolean playing() {
        return state == State.PLAYING;
    }

    /** Starts: the first click is at {@code position} (ahead of where the singer's mix reads). */
    public void start(long position) {
        state = State.PLAYING;
        start = position;
        copiedThrough = position;
        mixDelayWhilePlaying = -1;
        clicksRead = 0;
        java.util.Arrays.fill(sentPeak, 0f);
        lastNotedRead = Long.MIN_VALUE;
        stepsAtStart = -1;
        skippedAtStart = -1;
        triedThrough = 0;
        checkedFirstClicks = false;
        notHeardBack = false;
        mixerFellBehind = false;
        attempts++;
        java.util.Arrays.fill(recording, 0f);
        pattern.startAt(position);
        outcome = new Outcome(State.PLAYING, loopSamplesMs(), Double.NaN, Double.NaN,
                "calibrating: listen for six clicks (with headphones, clap on each)", 0, attempts);
    }

    /**
     * Per tick while playing, after the singer's mix ticked: what that mix read at
     * {@code readPosition} ({@code count} samples, before the limiter), to tell which clicks it
     * actually sent whole; and its cursor's steps and the ticks the loop skipped, for the verdict.
     */
    public void noteSent(float[] mix, long readPosition, int count, long cursorSteps, long ticksSkipped) {
        if (state != State.PLAYING) {
            return;
        }
        if (stepsAtStart < 0) {
            stepsAtStart = cursorSteps;
            skippedAtStart = ticksSkipped;
        }
        stepsNow = cursorSteps;
        skippedNow = ticksSkipped;
        if (readPosition == lastNotedRead) {
            return; // the mix did not tick (nobody connected)
        }
        lastNotedRead = readPosition;
        for (int i = 0; i < sentPeak.length; i++) {
            long at = pattern.clickPosition(i);
            long from = Math.max(at, readPosition);
            long to = Math.min(at + ClickPattern.CLICK_SAMPLES, readPosition + count);
            for (long p = from; p < to; p++) {
                sentPeak[i] = Math.max(sentPeak[i], Math.abs(mix[(int) (p - readPosition)]));
            }
        }
    }

    /** Click {@code i}'s onset in the recording with no loop, restated for the read delay it left at. */
    private int restated(int i) {
        return offset(i) + (int) (i < clicksRead && clicksRead > 0 ? clickReadDelay[i] - clickReadDelay[0] : 0);
    }

    /** Where click {@code i} was played, after the start: its place in the pattern unless a skipped tick moved it. */
    private int offset(int i) {
        return (int) (pattern.clickPosition(i) - start);
    }

    /** Which clicks the singer's mix sent whole, and what its cursor and the loop did meanwhile. */
    public String sentSummary() {
        StringBuilder b = new StringBuilder("sent whole: clicks");
        int whole = 0;
        for (int i = 0; i < sentPeak.length; i++) {
            if (sentPeak[i] >= SENT_WHOLE) {
                b.append(' ').append(i + 1);
                whole++;
            }
        }
        b.append(" (").append(whole).append(" of ").append(sentPeak.length).append(String.format(java.util.Locale.ROOT,
                "; peaks %.2f %.2f %.2f %.2f %.2f %.2f); mix cursor steps %d, ticks skipped %d during the clicks",
                sentPeak[0], sentPeak[1], sentPeak[2], sentPeak[3], sentPeak[4], sentPeak[5],
                stepsAtStart < 0 ? 0 : stepsNow - stepsAtStart, skippedAtStart < 0 ? 0 : skippedNow - skippedAtStart));
        return b.toString();
    }

    /**
     * Whether click {@code click} left the mixer whole. Only asked when the media loop skipped ticks
     * during the clicks: otherwise every click left as played (a mix nobody receives yet sends none,
     * and that is judged as before, by what came back).
     */
    private boolean sentWhole(int click) {
        return !loopSkipped() || sentPeak[click] >= SENT_WHOLE;
    }

    /** Whether the media loop skipped ticks of the singer's mix since the clicks started. */
    private boolean loopSkipped() {
        return skippedAtStart >= 0 && skippedNow > skippedAtStart;
    }

    /** A click whose loudest sample in the mix was at least this (of its 0.8 peak) was sent whole. */
    private static final float SENT_WHOLE = 0.6f;

    /**
     * Per tick while playing: records the singer's returned audio as it becomes final, notes the
     * singer's mix read delay, and once the window is complete finds the clicks.
     *
     * @param returned       the singer's voice (read by capture position)
     * @param finalThrough   one past the newest final position of that voice
     * @param mixReadDelay   the singer's own mix: tick position minus the position it read
     * @return true when the calibration finished (either way) on this tick
     */
    public boolean tick(MixSource returned, long finalThrough, long tickPosition, long mixReadDelay,
                        long transitSamples) {
        this.transitNow = transitSamples;
        if (state != State.PLAYING) {
            return false;
        }
        // This tick's read ended at tickPosition - mixReadDelay: note the delay of each click it read.
        while (clicksRead < clickReadDelay.length && pattern.clickPosition(clicksRead) < tickPosition - mixReadDelay) {
            clickReadDelay[clicksRead++] = mixReadDelay;
        }
        if (clicksRead > 0 && mixDelayWhilePlaying < 0) {
            mixDelayWhilePlaying = clickReadDelay[0]; // the clicks are being read now
        }
        int window = window();
        long end = start + window;
        long to = Math.min(finalThrough, end);
        if (to > copiedThrough) {
            returned.mixInto(copiedThrough, 1f, recording, (int) (copiedThrough - start), (int) (to - copiedThrough));
            copiedThrough = to;
        }
        lastFinal = finalThrough;
        if (copiedThrough >= end) {
            finish(window, true);
            return true;
        }
        int covered = (int) (copiedThrough - start);
        if (!checkedFirstClicks && covered >= FIRST_THREE_RETURNED + pattern.movedBy(2)) {
            checkedFirstClicks = true;
            // Each of the first three clicks restated for the read delay it left at, as in finish().
            // What never left cannot come back: only pairs of clicks that both left give a verdict. (When
            // they left, the verdict stands even if the loop skipped ticks later: a singer who does not
            // clap must get their partner back after 1.8 s, not after several full windows and retries.)
            boolean judged = false;
            boolean heard = false;
            for (int i = 0; i < 3 && !heard; i++) {
                for (int k = i + 1; k < 3 && !heard; k++) {
                    if (!sentWhole(i) || !sentWhole(k)) {
                        continue;
                    }
                    judged = true;
                    heard = detector.pairStandsOut(recording, covered, restated(i), restated(k), MAX_LOOP_SAMPLES,
                            FIRST_CLICKS_TOLERANCE);
                }
            }
            if (judged && !heard) { // nothing click-like came back: stop now
                notHeardBack = true;
                fail(NOT_HEARD_BACK + " [" + sentSummary() + "]");
                return true;
            }
        }
        if (covered >= ClickPattern.LENGTH + EARLY_GUARD_SAMPLES && covered - triedThrough >= EARLY_TRY_SAMPLES) {
            triedThrough = covered; // a look every 50 ms of new audio: the detector runs on the loop
            if (finish(covered, false)) {
                return true;
            }
        }
        if (tickPosition - end > GIVE_UP_SAMPLES) {
            fail("no audio came back from the singer during the clicks (is the microphone on?)");
            return true;
        }
        return false;
    }

    /** The recording window now: longer by as much as the last click was played late, within the buffer. */
    private int window() {
        return (int) Math.min(recording.length, WINDOW_SAMPLES + pattern.movedBy(ClickPattern.OFFSETS.length - 1));
    }

    /**
     * Looks for the train in the first {@code length} samples recorded. With {@code last} false
     * (the window is not complete yet) only a train that passes every check and whose last click
     * lies {@link #EARLY_GUARD_SAMPLES} inside what was recorded ends the calibration; anything
     * else waits for more audio. Returns whether the calibration ended.
     */
    private boolean finish(int length, boolean last) {
        long d = Math.max(0, mixDelayWhilePlaying);
        // A click read later than the first (the mix's cursor stepped: its sources' delays changed)
        // left us later by as much, and comes back as much later: expect it there, so the loop is
        // the first click's and the clicks still agree.
        int sent = 0;
        for (int i = 0; i < clickOffsets.length; i++) {
            if (sentWhole(i)) {
                clickOffsets[sent++] = offset(i) + (int) (i < clicksRead ? clickReadDelay[i] - d : 0);
            }
        }
        if (sent < MIN_CLICKS_SENT) {
            mixerFellBehind = true;
            fail("calibration failed: only " + sent + " of " + ClickPattern.OFFSETS.length + " clicks left the mixer (it"
                    + " fell behind and skipped " + (skippedNow - skippedAtStart) + " ticks) [" + sentSummary() + "]");
            return true;
        }
        int[] offsets = sentOffsets[sent];
        System.arraycopy(clickOffsets, 0, offsets, 0, sent);
        ClickTrainDetector.Result r = detector.detect(recording, length, offsets, 0, MAX_LOOP_SAMPLES);
        int lastClick = Integer.MIN_VALUE; // restated offsets need not be in order
        for (int offset : offsets) {
            lastClick = Math.max(lastClick, offset);
        }
        if (!last && !(r.ok() && r.delaySamples() + lastClick + ClickPattern.CLICK_SAMPLES + EARLY_GUARD_SAMPLES
                <= length)) {
            return false;
        }
        pattern.stop();
        if (!r.ok()) {
            int loudest = 0;
            for (int i = 1; i < recording.length; i++) {
                if (Math.abs(recording[i]) > Math.abs(recording[loudest])) {
                    loudest = i;
                }
            }
            fail(r.message() + String.format(java.util.Locale.ROOT,
                    " [window %d..%d, voice final through %+d, loudest %.3f at %+.1f ms, read delay %.1f ms; %s]", start,
                    start + window(), lastFinal - start, recording[loudest], loudest / 48.0,
                    mixDelayWhilePlaying / 48.0, sentSummary()));
            if (Double.isFinite(r.spreadMs())) {
                outcome = new Outcome(State.FAILED, loopSamplesMs(), Double.NaN, r.spreadMs(), r.message(),
                        System.nanoTime(), attempts);
            }
            return true;
        }
        state = State.DONE;
        loopSamples = r.delaySamples();
        mixDelayAtCalibration = d;
        transitAtCalibration = transitNow;
        outcome = new Outcome(State.DONE, loopSamples / 48.0, (loopSamples - d) / 48.0, r.spreadMs(),
                r.clicksFound() < sent ? "calibrated " + r.message().substring("ok ".length()) : "calibrated",
                System.nanoTime(), attempts);
        return true;
    }

    private void fail(String message) {
        pattern.stop();
        state = State.FAILED;
        outcome = new Outcome(State.FAILED, loopSamplesMs(), Double.NaN, Double.NaN, message, System.nanoTime(),
                attempts);
    }

    private double loopSamplesMs() {
        return loopSamples / 48.0;
    }

    /** True once a calibration succeeded (a later failed one keeps the last good loop). */
    public boolean calibrated() {
        return Double.isFinite(loopSamples);
    }

    /**
     * The loop, content to capture, in samples, now: the round trip measured stays; the part that
     * was our own read delay follows the current one; and when the capture clock's idea of the
     * transit changed since (an RTCP echo replaced arrival-based placement, the offset estimate
     * tightened), the voice moved on the timeline by that much, so the loop follows it too.
     * That keeps leader/follower alignment independent of the clock-offset estimate's accuracy.
     */
    public double loopSamples(long mixReadDelayNow, long transitSamplesNow) {
        return loopSamples - mixDelayAtCalibration + mixReadDelayNow + (transitAtCalibration - transitSamplesNow);
    }

    /** The singer's mix read delay while the clicks were read, samples. */
    public long mixDelayAtCalibration() {
        return mixDelayAtCalibration;
    }

    /** Send to capture (network both ways, playout, the room), samples. */
    public double roundTripSamples() {
        return loopSamples - mixDelayAtCalibration;
    }

    public State state() {
        return state;
    }

    /** The last calibration failed because nothing click-like came back (a retry would not help). */
    public boolean notHeardBack() {
        return notHeardBack;
    }

    /** The last calibration failed because the mix could not send enough of the clicks (a retry may). */
    public boolean mixerFellBehind() {
        return mixerFellBehind;
    }

    public int attempts() {
        return attempts;
    }

    public Outcome outcome() {
        return outcome;
    }
}
