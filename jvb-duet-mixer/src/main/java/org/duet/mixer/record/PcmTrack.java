package org.duet.mixer.record;

import java.io.IOException;
import java.nio.file.Path;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/**
 * A track made from PCM the media loop hands over tick by tick (the listener mix, the backing
 * track), each chunk with its timeline position. The chunks are laid down sample-exactly from the
 * take's start: a jump forward of the mix's read position leaves silence, a jump back overwrites
 * nothing (the overlap is skipped), so the file stays on the capture timeline. Encoded here, on
 * the writer thread, as 20 ms Opus frames at a higher bitrate than the live mix.
 */
final class PcmTrack {

    static final int FRAME = 960;
    /** restricted-lowdelay look-ahead (Fs/400): the pre-skip that makes decoded sample 0 the take's start. */
    static final int LOOKAHEAD = 120;
    private static final long MAX_GAP = 48_000L * 10;

    private final Path path;
    private final String title;
    private final long takeStart;
    private final ByteBudget budget;
    private final int bitrate;
    private OggOpusWriter writer;
    private OpusEncoder encoder;
    private final short[] frame = new short[FRAME];
    private int fill;
    private final byte[] packet = new byte[1500];
    /** Timeline position (from take start) of the next sample to lay down. */
    private long next;
    long chunks;

    PcmTrack(Path path, String title, long takeStart, ByteBudget budget, int bitrate) {
        this.path = path;
        this.title = title;
        this.takeStart = takeStart;
        this.budget = budget;
        this.bitrate = bitrate;
    }

    void add(RecordEntry e) throws IOException {
        long pos = e.position - takeStart;
        int off = 0;
        int n = e.length;
        if (pos < next) { // overlaps what is written, or from before the start
            int skip = (int) Math.min(n, next - pos);
            off += skip;
            n -= skip;
            pos += skip;
        }
        if (n <= 0) {
            return;
        }
        open();
        long gap = Math.min(pos - next, MAX_GAP);
        for (long i = 0; i < gap; i++) {
            put((short) 0);
        }
        next = pos;
        for (int i = 0; i < n; i++) {
            put(e.pcm[off + i]);
        }
        next += n;
        chunks++;
    }

    private void open() throws IOException {
        if (writer == null) {
            writer = new OggOpusWriter(path, LOOKAHEAD, title, budget);
            encoder = OpusCodecs.newEncoder(new OpusSettings(1, bitrate, 10, false, 0, false,
                    OpusApplication.RESTRICTED_LOWDELAY, FRAME));
        }
    }

    private void put(short v) throws IOException {
        frame[fill++] = v;
        if (fill == FRAME) {
            encodeFrame();
        }
    }

    private void encodeFrame() throws IOException {
        int len = encoder.encode(frame, 0, FRAME, packet, 0, packet.length);
        if (len < 0) {
            throw new IOException("Opus encoder failed (" + len + ") for " + path.getFileName());
        }
        writer.packet(packet, 0, len, FRAME);
        fill = 0;
    }

    void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    /**
     * Pads the timeline up to {@code endPosition} (absolute) with silence, encodes the last partial
     * frame and closes the file with an exact end (granule = pre-skip + samples).
     */
    void finish(long endPosition) throws IOException {
        long end = endPosition - takeStart;
        if (end <= next && writer == null) {
            return; // nothing was ever played into this track
        }
        open();
        while (next < end && next < MAX_GAP * 360) {
            put((short) 0);
            next++;
        }
        long samples = Math.min(next, Math.max(0, end));
        // Flush the encoder's look-ahead out with one more frame of silence, then trim by granule.
        int pad = fill == 0 ? 0 : FRAME - fill;
        for (int i = 0; i < pad; i++) {
            put((short) 0);
        }
        for (int i = 0; i < FRAME; i++) {
            put((short) 0);
        }
        writer.finish(LOOKAHEAD + samples);
        encoder.close();
    }

    void abandon() {
        if (writer != null) {
            writer.close();
        }
        if (encoder != null) {
            encoder.close();
        }
    }

    boolean hasFile() {
        return writer != null;
    }

    long bytes() {
        return writer == null ? 0 : writer.bytes();
    }

    Path path() {
        return path;
    }

    long samples() {
        return next;
    }
}
