package org.duet.mixer.record;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.gagravarr.ogg.OggPacket;
import org.gagravarr.ogg.OggPacketReader;

/** Reads recorded Ogg Opus files back for tests: packets, pre-skip, and the decoded audio. */
public final class OggOpusFiles {

    /** The file's header fields and audio packets. */
    public record Contents(int preSkip, List<byte[]> packets, long lastGranule, int decodeErrors, float[] audio) {

        /** Packets that carry audio (TOC-only fillers left out). */
        public long audioPackets() {
            return packets.stream().filter(p -> p.length > 1).count();
        }
    }

    private OggOpusFiles() {
    }

    /** Reads and decodes every packet (pre-skip removed, end trimmed by the last granule). */
    public static Contents read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            OggPacketReader r = new OggPacketReader(in);
            OggPacket head = r.getNextPacket();
            byte[] h = head.getData();
            if (!new String(h, 0, 8, java.nio.charset.StandardCharsets.US_ASCII).equals("OpusHead")) {
                throw new IOException(file + ": no OpusHead");
            }
            int preSkip = (h[10] & 0xff) | (h[11] & 0xff) << 8;
            OggPacket tags = r.getNextPacket();
            if (!new String(tags.getData(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII).equals("OpusTags")) {
                throw new IOException(file + ": no OpusTags");
            }
            List<byte[]> packets = new ArrayList<>();
            long granule = -1;
            OggPacket p;
            while ((p = r.getNextPacket()) != null) {
                if (p.getData().length > 0) {
                    packets.add(p.getData());
                }
                if (p.getGranulePosition() > 0) {
                    granule = p.getGranulePosition();
                }
            }
            short[] pcm = new short[5760];
            float[] audio = new float[1 << 16];
            int n = 0;
            int errors = 0;
            try (OpusDecoder d = OpusCodecs.newDecoder(1)) {
                for (byte[] pk : packets) {
                    int got = d.decode(pk, 0, pk.length, pcm, 0, 5760);
                    if (got < 0) {
                        errors++;
                        continue;
                    }
                    if (n + got > audio.length) {
                        audio = java.util.Arrays.copyOf(audio, Math.max(audio.length * 2, n + got));
                    }
                    for (int i = 0; i < got; i++) {
                        audio[n++] = pcm[i] / 32768f;
                    }
                }
            }
            int end = granule > 0 ? (int) Math.min(n, granule) : n;
            float[] trimmed = end > preSkip ? java.util.Arrays.copyOfRange(audio, preSkip, end) : new float[0];
            return new Contents(preSkip, packets, granule, errors, trimmed);
        }
    }
}
