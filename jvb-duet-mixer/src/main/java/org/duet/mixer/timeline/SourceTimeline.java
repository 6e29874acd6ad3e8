package org.duet.mixer.timeline;

/**
 * One voice's decoded audio laid out by capture time: sample {@code p} of the server's 48 kHz
 * sample clock holds what was captured at that instant. Several outputs read the same voice at
 * different delays (a singer's mix-minus early, the listener mix later, aligned with the other
 * voice), so decoding happens once and every reader picks its own position.
 *
 * <p>A ring of mono float samples. Positions never written, overwritten by newer audio, or not
 * yet written read as silence. Owned by the media loop thread.
 */
public final class SourceTimeline {

    private final float[] ring;
    private final int mask;
    /** One past the newest position written; positions below {@code end - ring.length} are gone. */
    private long end = Long.MIN_VALUE;

    /** @param minimumSamples capacity, rounded up to a power of two */
    public SourceTimeline(int minimumSamples) {
        int size = Integer.highestOneBit(Math.max(1024, minimumSamples - 1)) << 1;
        this.ring = new float[size];
        this.mask = size - 1;
    }

    public int capacity() {
        return ring.length;
    }

    /** True until the first write. */
    public boolean isEmpty() {
        return end == Long.MIN_VALUE;
    }

    /** One past the newest sample written. */
    public long end() {
        return end;
    }

    /**
     * Writes {@code count} samples at capture position {@code position}. A gap after the
     * previous write is filled with silence; writing over older positions replaces them.
     */
    public void write(long position, float[] samples, int off, int count) {
        if (end == Long.MIN_VALUE) {
            end = position;
        }
        if (position > end) {
            long gap = Math.min(position - end, ring.length);
            zero(position - gap, (int) gap);
        }
        if (count >= ring.length) { // only the newest ring-full survives
            off += count - ring.length;
            position += count - ring.length;
            count = ring.length;
        }
        int start = (int) (position & mask);
        int first = Math.min(count, ring.length - start);
        System.arraycopy(samples, off, ring, start, first);
        if (first < count) {
            System.arraycopy(samples, off + first, ring, 0, count - first);
        }
        end = Math.max(end, position + count);
    }

    /**
     * Writes {@code count} samples stretched or squeezed to {@code outCount} samples (linear
     * interpolation) at {@code position}: how a voice's placement is slewed by a fraction of a
     * millisecond without a gap or an overlap. Like {@link #write} otherwise.
     */
    public void writeStretched(long position, float[] samples, int off, int count, int outCount) {
        if (outCount == count || count < 2 || outCount < 2 || outCount >= ring.length) {
            write(position, samples, off, Math.min(count, outCount));
            return;
        }
        if (end == Long.MIN_VALUE) {
            end = position;
        }
        if (position > end) {
            long gap = Math.min(position - end, ring.length);
            zero(position - gap, (int) gap);
        }
        double step = (double) count / outCount;
        int last = off + count - 1;
        for (int i = 0; i < outCount; i++) {
            double x = i * step;
            int j = (int) x;
            float frac = (float) (x - j);
            float a = samples[off + j];
            float b = off + j + 1 <= last ? samples[off + j + 1] : a;
            ring[(int) ((position + i) & mask)] = a + (b - a) * frac;
        }
        end = Math.max(end, position + outCount);
    }

    /**
     * Adds {@code gain * sample} for positions {@code [position, position + count)} into
     * {@code out[outOff..]}. Positions outside what is held add nothing.
     */
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        if (end == Long.MIN_VALUE) {
            return;
        }
        long oldest = end - ring.length;
        for (int i = 0; i < count; i++) {
            long p = position + i;
            if (p >= oldest && p < end) {
                out[outOff + i] += gain * ring[(int) (p & mask)];
            }
        }
    }

    /** Forgets everything (e.g. the source left and came back). */
    public void clear() {
        java.util.Arrays.fill(ring, 0f);
        end = Long.MIN_VALUE;
    }

    private void zero(long position, int count) {
        int start = (int) (position & mask);
        int first = Math.min(count, ring.length - start);
        java.util.Arrays.fill(ring, start, start + first, 0f);
        if (first < count) {
            java.util.Arrays.fill(ring, 0, count - first, 0f);
        }
    }
}
