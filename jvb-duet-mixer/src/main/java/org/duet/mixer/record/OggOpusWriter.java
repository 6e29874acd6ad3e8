package org.duet.mixer.record;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.gagravarr.ogg.OggFile;
import org.gagravarr.ogg.OggPacket;
import org.gagravarr.ogg.OggPacketWriter;
import org.gagravarr.opus.OpusInfo;
import org.gagravarr.opus.OpusTags;

/**
 * One Ogg Opus file (RFC 7845), mono 48 kHz, written through vorbis-java-core's Ogg page writer.
 * Packets are buffered into pages and written out at each {@link #flush()}: the take writer flushes
 * about once a second, so a server stopped mid-take leaves a file that plays up to the last flush.
 *
 * <pre>
 *   page 0: OpusHead (pre-skip)       page 1: OpusTags       pages 2..: audio packets,
 *   granule = samples written (pre-skip included) at the last packet ending on the page
 * </pre>
 */
final class OggOpusWriter implements AutoCloseable {

    private final Path path;
    private final CountingStream out;
    private final OggFile ogg;
    private final OggPacketWriter writer;
    private long granule;
    private boolean closed;

    /** Creates the file and writes both headers to disk at once. */
    OggOpusWriter(Path path, int preSkip, String title, ByteBudget budget) throws IOException {
        this.path = path;
        this.out = new CountingStream(Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), budget);
        this.ogg = new OggFile(out);
        this.writer = ogg.getPacketWriter();
        OpusInfo info = new OpusInfo();
        info.setNumChannels(1);
        info.setSampleRate(48_000);
        info.setPreSkip(preSkip);
        info.setOutputGain(0);
        writer.bufferPacket(info.write(), 0);
        writer.flush(); // RFC 7845: the identification header alone on the first page
        OpusTags tags = new OpusTags();
        tags.addComment("title", title);
        tags.addComment("encoder", "Duet rehearsal recorder");
        writer.bufferPacket(tags.write(), 0);
        writer.flush(); // audio starts on a fresh page
    }

    /** Buffers one Opus packet of {@code samples} (48 kHz) samples. */
    void packet(byte[] data, int off, int len, int samples) {
        granule += samples;
        writer.bufferPacket(new OggPacket(java.util.Arrays.copyOfRange(data, off, off + len)), granule);
    }

    /** Samples written so far, pre-skip included (the last granule position). */
    long granule() {
        return granule;
    }

    /** Writes the buffered pages to the file. */
    void flush() throws IOException {
        if (writer.getSizePendingFlush() > 0) {
            writer.flush();
        }
        out.flush();
    }

    /** Ends the stream: sets the final granule (end trimming) and the end-of-stream flag. */
    void finish(long finalGranule) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (finalGranule > 0 && finalGranule <= granule) {
            writer.setGranulePosition(finalGranule);
        }
        try {
            writer.close();
        } finally {
            out.close();
        }
    }

    /** Closes without writing more (after an I/O error: what was flushed stays playable). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                out.close();
            } catch (IOException ignored) {
                // the disk already failed; nothing more to save
            }
        }
    }

    long bytes() {
        return out.count();
    }

    Path path() {
        return path;
    }

    /** Counts bytes and refuses to go over the take's byte budget. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final ByteBudget budget;
        private long count;

        CountingStream(OutputStream out, ByteBudget budget) {
            this.out = out;
            this.budget = budget;
        }

        @Override
        public void write(int b) throws IOException {
            budget.take(1);
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            budget.take(len);
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        long count() {
            return count;
        }
    }
}
