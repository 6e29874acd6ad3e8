package org.duet.mixer.clock;

/**
 * Where a voice's decoded frames go on the capture timeline, frame after frame.
 *
 * <p>Frames are written back to back, so audio never tears. The capture estimate of each frame
 * (from {@link CaptureClock}) is compared with where back-to-back writing puts it:
 * <ul>
 *   <li>a new estimate source (a Sender Report arrived, an offset was measured) or a jump larger
 *       than the re-anchor threshold (a new stream, a long gap) re-places the voice at once;
 *   <li>any smaller, lasting disagreement is slewed away: the frame is written slightly stretched
 *       or squeezed (at most 1 % of its length, inaudible), until the placement matches the
 *       estimate within {@link #DEADBAND_SAMPLES}.
 * </ul>
 * The second rule is what makes an arrival-anchored voice converge to the minimum observed delay:
 * the first packet may have been late, and the best-case arrival the estimate is built on drops as
 * faster packets prove the path shorter; without slewing, the voice would stay where that first,
 * late packet put it (a few ms off, below the re-anchor threshold, for ever). It serves every
 * input (RTP, the Jitsi media export), because it only looks at the capture estimate.
 *
 * <p>Owned by one media loop thread; allocation-free.
 */
public final class TimelinePlacement {

    /** Disagreement left alone: 0.1 ms. Estimates are whole samples, so this is the noise floor. */
    public static final int DEADBAND_SAMPLES = 5;
    /** Slew rate: one sample per this many written (1 %: 0.2 ms per 20 ms frame, 10 ms per second). */
    public static final int SLEW_DIVISOR = 100;

    private final long jumpSamples;
    private boolean anchored;
    private long position;
    private CaptureClock.Source placedBy;
    private long reanchors;
    private long sourceChanges;
    private long slewedSamples;
    private long lastError;

    /** @param jumpSamples a disagreement larger than this re-places the voice at once */
    public TimelinePlacement(long jumpSamples) {
        this.jumpSamples = jumpSamples;
    }

    /**
     * Decides where a frame of {@code frameSamples} goes and how long it is written.
     *
     * @param estimate capture position the clock gives the frame's first sample
     * @return how many samples to write at {@link #position()} (the frame stretched or squeezed
     *         to that length); call {@link #advance} with it afterwards
     */
    public int place(long estimate, CaptureClock.Source source, int frameSamples) {
        long error = estimate - position;
        lastError = anchored ? error : 0;
        if (!anchored || source != placedBy || Math.abs(error) > jumpSamples) {
            if (anchored) {
                reanchors++;
                if (source != placedBy) {
                    sourceChanges++;
                }
            }
            placedBy = source;
            position = estimate;
            anchored = true;
            lastError = 0;
            return frameSamples;
        }
        if (Math.abs(error) <= DEADBAND_SAMPLES) {
            return frameSamples;
        }
        // Estimate later than the placement: write the frame longer (the voice moves later), and
        // the other way round. Sub-millisecond per frame, so a slew is a tiny pitch change.
        long limit = Math.max(1, frameSamples / SLEW_DIVISOR);
        long c = Math.max(-limit, Math.min(limit, error));
        slewedSamples += Math.abs(c);
        return (int) (frameSamples + c);
    }

    /** The position the next frame is written at. */
    public long position() {
        return position;
    }

    /** After writing {@code written} samples at {@link #position()}. */
    public void advance(int written) {
        position += written;
    }

    /** Forget the placement (the voice left, or its stream restarted). */
    public void reset() {
        anchored = false;
    }

    public boolean anchored() {
        return anchored;
    }

    /** Re-placements (jumps), not counting the first. */
    public long reanchors() {
        return reanchors;
    }

    /** Re-placements because the estimate's source changed (the rest were jumps beyond the threshold). */
    public long sourceChanges() {
        return sourceChanges;
    }

    /** Samples added or removed by slewing so far. */
    public long slewedSamples() {
        return slewedSamples;
    }

    /** Estimate minus placement at the last frame, in samples: how far off the voice still sits. */
    public long lastError() {
        return lastError;
    }
}
