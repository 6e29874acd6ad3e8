package org.duet.mixer.record;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One singer's voice as received: the Opus packets written untouched into an Ogg Opus file,
 * placed on the take's timeline. Sample 0 of the decoded file is the take's start; a voice that
 * starts later is preceded by silence, and a gap (lost packets, a pause in sending) is filled with
 * TOC-only packets, which every Opus decoder plays as concealment. So the file lines up with the
 * others in any editor, and every packet that arrived is in it, byte for byte.
 *
 * <p>Placement is by the capture position the mixer gives the voice (the one its timeline uses),
 * and the newest packet's placement counts: packets are written a few packets late (a small
 * reorder window that also puts late packets back in order), each at the newest known mapping
 * from RTP timestamp to timeline position, so a stream's first packets, placed before the
 * sender's first report arrived, still land where the better estimate says.
 */
final class VoiceTrack {

    /** TOC-only packets (RFC 6716 3.1, config 31/30/29/28: CELT FB 20/10/5/2.5 ms, code 0). */
    private static final byte[][] FILLER = {{(byte) (31 << 3)}, {(byte) (30 << 3)}, {(byte) (29 << 3)},
        {(byte) (28 << 3)}};
    private static final int[] FILLER_SAMPLES = {960, 480, 240, 120};
    static final int REORDER_PACKETS = 6;

    private final Path path;
    private final String title;
    private final long takeStart;
    private final ByteBudget budget;
    private OggOpusWriter writer;
    /** Timeline position (relative to take start) of the next sample the file will hold. */
    private long end;
    private int preSkip;

    // Reorder window: packets sorted by position, emitted oldest first once it is full.
    private final long[] pendingPos = new long[REORDER_PACKETS];
    private final byte[][] pendingData = new byte[REORDER_PACKETS][];
    private final int[] pendingSamples = new int[REORDER_PACKETS];
    private int pending;
    // The newest placement: RTP timestamp mapTs sits at timeline position mapPos.
    private long mapTs;
    private long mapPos;

    long packets;
    long fillerSamples;
    long dropped;

    VoiceTrack(Path path, String title, long takeStart, ByteBudget budget) {
        this.path = path;
        this.title = title;
        this.takeStart = takeStart;
        this.budget = budget;
    }

    void add(RecordEntry e) throws IOException {
        mapTs = e.timestamp;
        mapPos = e.position;
        if (pending == REORDER_PACKETS) {
            emitOldest();
        }
        int i = pending++;
        while (i > 0 && (int) (pendingPos[i - 1] - e.timestamp) > 0) { // insertion by timestamp: the window is tiny
            pendingPos[i] = pendingPos[i - 1];
            pendingData[i] = pendingData[i - 1];
            pendingSamples[i] = pendingSamples[i - 1];
            i--;
        }
        pendingPos[i] = e.timestamp; // placed when written, by the newest mapping
        pendingData[i] = java.util.Arrays.copyOf(e.bytes, e.length);
        pendingSamples[i] = e.samples;
    }

    private void emitOldest() throws IOException {
        long pos = mapPos + (int) (pendingPos[0] - mapTs) - takeStart;
        byte[] data = pendingData[0];
        int samples = pendingSamples[0];
        System.arraycopy(pendingPos, 1, pendingPos, 0, pending - 1);
        System.arraycopy(pendingData, 1, pendingData, 0, pending - 1);
        System.arraycopy(pendingSamples, 1, pendingSamples, 0, pending - 1);
        pending--;
        write(pos, data, samples);
    }

    private void write(long pos, byte[] data, int samples) throws IOException {
        if (pos + samples <= 0) {
            dropped++; // captured before the take started
            return;
        }
        if (writer == null) {
            // Silence up to the first packet in whole filler packets; pre-skip trims the excess so
            // the packet's first sample lands exactly on its timeline position.
            long lead = pos <= 0 ? 0 : (pos + 119) / 120 * 120;
            preSkip = (int) (lead - pos);
            writer = new OggOpusWriter(path, preSkip, title, budget);
            fill(lead);
            end = pos + samples;
            writer.packet(data, 0, data.length, samples);
            packets++;
            return;
        }
        long gap = pos - end;
        if (gap < -960) {
            dropped++; // a duplicate, or a packet far behind what is written
            return;
        }
        if (gap > 48_000L * 10) {
            gap = 0; // a new stream far away: continue the file without hours of filler
        }
        if (gap >= 120) {
            long filled = gap / 120 * 120;
            fill(filled);
            end += filled;
        }
        writer.packet(data, 0, data.length, samples);
        end += samples;
        packets++;
    }

    private void fill(long samples) {
        long left = samples;
        for (int k = 0; k < FILLER.length; k++) {
            while (left >= FILLER_SAMPLES[k]) {
                writer.packet(FILLER[k], 0, 1, FILLER_SAMPLES[k]);
                left -= FILLER_SAMPLES[k];
                fillerSamples += FILLER_SAMPLES[k];
            }
        }
    }

    void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Writes what is still in the reorder window and closes the file. */
    void finish() throws IOException {
        while (pending > 0) {
            emitOldest();
        }
        if (writer != null) {
            writer.finish(writer.granule());
        }
    }

    void abandon() {
        if (writer != null) {
            writer.close();
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

    /** Duration on the timeline, in samples from the take's start. */
    long endSamples() {
        return end;
    }
}
