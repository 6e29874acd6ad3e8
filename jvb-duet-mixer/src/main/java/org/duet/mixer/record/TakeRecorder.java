package org.duet.mixer.record;

import org.duet.mixer.mix.MixSource;
import org.jctools.queues.SpscArrayQueue;

/**
 * The media loop's side of a take: copies what the room receives and mixes into pooled entries
 * and queues them to the {@link TakeWriter} thread. Never blocks and never allocates: when the
 * pool is empty (the disk cannot keep up) the entry is dropped and the take is failed, and from
 * then on every call returns at once. The live mix never waits for recording.
 */
public final class TakeRecorder {

    private final SpscArrayQueue<RecordEntry> filled;
    private final SpscArrayQueue<RecordEntry> free;
    private final RecordEntry endEntry = new RecordEntry(); // reserved: stopping always succeeds
    private final float[] scratch = new float[RecordEntry.MAX_PCM];
    private final long startPosition;
    private volatile boolean overflowed;
    private volatile boolean failed;
    private boolean ended;
    private long mixEnd = Long.MIN_VALUE;

    TakeRecorder(int entries, long startPosition) {
        this.filled = new SpscArrayQueue<>(entries + 1);
        this.free = new SpscArrayQueue<>(entries);
        for (int i = 0; i < entries; i++) {
            free.offer(new RecordEntry());
        }
        this.startPosition = startPosition;
    }

    /** Timeline position of the take's sample 0. */
    public long startPosition() {
        return startPosition;
    }

    /** A singer's packet as received (RTP timestamp {@code timestamp}), placed at {@code position} (server samples). */
    public void voice(String voice, byte[] buf, int off, int len, int samples, long timestamp, long position) {
        if (len > RecordEntry.MAX_PACKET || samples <= 0) {
            return;
        }
        RecordEntry e = obtain();
        if (e == null) {
            return;
        }
        e.kind = RecordEntry.Kind.VOICE;
        e.voice = voice;
        e.position = position;
        e.samples = samples;
        e.timestamp = timestamp & 0xFFFFFFFFL;
        e.length = len;
        System.arraycopy(buf, off, e.bytes, 0, len);
        filled.offer(e);
    }

    /** One tick of the listener mix as sent (after the limiter), starting at {@code position}. */
    public void listenerMix(short[] pcm, int samples, long position) {
        RecordEntry e = obtain();
        if (e == null) {
            return;
        }
        int n = Math.min(samples, RecordEntry.MAX_PCM);
        System.arraycopy(pcm, 0, e.pcm, 0, n);
        e.kind = RecordEntry.Kind.LISTENER_MIX;
        mixEnd = Math.max(mixEnd, position + n);
        e.position = position;
        e.length = n;
        filled.offer(e);
    }

    /** Reads {@code source} (the backing track) at the level the listeners hear it. */
    public void backing(MixSource source, float gain, long position, int samples) {
        pcm(RecordEntry.Kind.BACKING, source, gain, position, samples);
    }

    /**
     * Reads {@code source} (the metronome, as the listener mix reads it: shifted where the sync
     * mode puts the beat against the voices) into its own track, on the same timeline.
     */
    public void metronome(MixSource source, long position, int samples) {
        pcm(RecordEntry.Kind.METRONOME, source, 1f, position, samples);
    }

    private void pcm(RecordEntry.Kind kind, MixSource source, float gain, long position, int samples) {
        if (source == null || source.isStale(position)) {
            return;
        }
        int n = Math.min(samples, RecordEntry.MAX_PCM);
        java.util.Arrays.fill(scratch, 0, n, 0f);
        source.mixInto(position, gain, scratch, 0, n);
        RecordEntry e = obtain();
        if (e == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            float v = Math.max(-1f, Math.min(1f, scratch[i]));
            e.pcm[i] = (short) Math.round(v * 32767f);
        }
        e.kind = kind;
        e.position = position;
        e.length = n;
        filled.offer(e);
    }

    /**
     * The take ends: at the end of the listener mix recorded so far (it reads behind real time),
     * else at {@code position}. The writer then closes every file. Call on the media loop; idempotent.
     */
    public void end(long position) {
        if (ended) {
            return;
        }
        ended = true;
        endEntry.kind = RecordEntry.Kind.END;
        endEntry.position = mixEnd != Long.MIN_VALUE ? mixEnd : position;
        filled.offer(endEntry); // capacity entries + 1: there is always room for this one
    }

    /** True once the take cannot go on (the writer failed, or the queue overflowed). */
    public boolean isFailed() {
        return failed || overflowed;
    }

    private RecordEntry obtain() {
        if (failed || overflowed || ended) {
            return null;
        }
        RecordEntry e = free.poll();
        if (e == null) {
            overflowed = true;
        }
        return e;
    }

    // ---- the writer's side ----

    RecordEntry poll() {
        return filled.poll();
    }

    void recycle(RecordEntry e) {
        if (e != endEntry) {
            free.offer(e);
        }
    }

    boolean overflowed() {
        return overflowed;
    }

    void markFailed() {
        failed = true;
    }
}
