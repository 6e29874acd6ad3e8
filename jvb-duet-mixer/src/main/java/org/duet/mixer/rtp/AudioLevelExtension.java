package org.duet.mixer.rtp;

/**
 * RFC 6464 client-to-mixer audio level: one byte, V (voice activity) in the top bit, then the level as
 * 0..127 -dBov (0 is loudest, 127 is silence or quieter). Static, allocation-free.
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ID   | len=0 |V|    level    |   (one-byte form; RFC 6464 section 3)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class AudioLevelExtension {
    /** Element data length. */
    public static final int LENGTH = 1;
    /** The level value meaning "silent" (-127 dBov or below). */
    public static final int SILENT = 127;

    private AudioLevelExtension() {
    }

    /** True when the element is long enough to read; a longer element (some senders pad) is accepted. */
    public static boolean isValid(int len) {
        return len >= LENGTH;
    }

    /** Level 0..127 (-dBov), or -1 if the element is too short. */
    public static int level(byte[] buf, int off, int len) {
        return len >= LENGTH ? buf[off] & 0x7F : -1;
    }

    /** The V flag; false if the element is too short. */
    public static boolean voiceActivity(byte[] buf, int off, int len) {
        return len >= LENGTH && (buf[off] & 0x80) != 0;
    }

    /** Writes the element data (level is clamped to 0..127); returns {@link #LENGTH}. */
    public static int write(byte[] buf, int off, boolean voice, int level) {
        int clamped = Math.max(0, Math.min(SILENT, level));
        buf[off] = (byte) ((voice ? 0x80 : 0) | clamped);
        return LENGTH;
    }

    /**
     * The RFC 6464 level of a block of 16-bit PCM: -dBov of its RMS, clamped to 0..127, where 0 dBov is
     * the RMS of a full-scale square wave (32767).
     */
    public static int levelOf(short[] pcm, int off, int len) {
        if (len <= 0) {
            return SILENT;
        }
        double sumSquares = 0;
        for (int i = off; i < off + len; i++) {
            double s = pcm[i];
            sumSquares += s * s;
        }
        double rms = Math.sqrt(sumSquares / len) / 32767.0;
        if (rms <= 0) {
            return SILENT;
        }
        double dbov = 20 * Math.log10(rms);
        return (int) Math.max(0, Math.min(SILENT, Math.round(-dbov)));
    }
}
