package org.duet.mixer.record;

/**
 * One pooled unit of work from the media loop to the take writer: a voice packet as received, or
 * one tick of PCM (the listener mix, the backing track, the metronome). Preallocated, recycled through a free
 * queue, so the loop never allocates for recording.
 */
final class RecordEntry {

    enum Kind { VOICE, LISTENER_MIX, BACKING, METRONOME, END }

    static final int MAX_PACKET = 1500;
    static final int MAX_PCM = 960;

    final byte[] bytes = new byte[MAX_PACKET];
    final short[] pcm = new short[MAX_PCM];
    Kind kind;
    /** Voice: the singer's role label ("a", "b"); null otherwise. */
    String voice;
    /** Timeline position (server samples) of the first sample. */
    long position;
    /** Bytes in {@link #bytes} (voice) or samples in {@link #pcm}. */
    int length;
    /** Voice: the packet's duration in samples. */
    int samples;
    /** Voice: the packet's RTP timestamp (32 bits). */
    long timestamp;
}
