package org.duet.bench.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.duet.mixer.backing.AudioFileDecoder;
import org.duet.mixer.backing.BadAudioFileException;
import org.duet.mixer.backing.DecodedAudio;

/**
 * Uploaded backing tracks as the rehearsal service reads them: format sniffing by the first bytes,
 * then the WAV (javax.sound), FLAC (JFLAC), Ogg Opus or MP3 (JLayer) decoder, with the server's
 * default limits (64 MiB, 15 min). A refusal is a {@link BadAudioFileException} with a reason and a
 * sentence. Seeds: small WAVs made here and the heads of the FLAC, MP3 and Ogg Opus test files.
 */
final class UploadTarget implements FuzzTarget {

    static final Path FILES = Path.of("jvb-duet-mixer/src/test/resources/backing");

    private final AudioFileDecoder decoder = new AudioFileDecoder(64L << 20, 900);
    private long sink;

    @Override
    public String name() {
        return "upload";
    }

    @Override
    public List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        // 10 ms each: what is fuzzed is the structure (headers, chunk sizes, frame headers); longer
        // audio only made each case resample and decode more of the same (profiled with JFR)
        out.add(wav(1, 48_000, 16, 480));
        out.add(wav(2, 44_100, 16, 441));
        out.add(wav(1, 8_000, 8, 80));
        out.add(wav(1, 48_000, 24, 480));
        try {
            // the real files cut to a few frames each, still valid, so a case costs microseconds, not a
            // whole decode (the heads used before held only metadata and padding: refused as empty)
            out.add(shortFlac(Files.readAllBytes(FILES.resolve("tone-1k-44k1-stereo.flac")), 1));
            out.add(head(FILES.resolve("tone-1k-44k1-stereo.mp3"), 900));
            out.add(shortOggOpus(Files.readAllBytes(FILES.resolve("tone-1k-44k1-stereo.opus")), 2));
        } catch (IOException e) {
            throw new IllegalStateException("run from the repository root: the test files are read from "
                    + FILES.toAbsolutePath(), e);
        }
        return out;
    }

    private static byte[] head(Path file, int bytes) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return Arrays.copyOf(b, Math.min(bytes, b.length));
    }

    /**
     * A FLAC file's metadata without its PADDING block, then its first {@code frames} frames (found
     * by the frame sync code 0xFFF8).
     */
    static byte[] shortFlac(byte[] flac, int frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(flac, 0, 4); // "fLaC"
        int at = 4;
        int lastKept = -1;
        boolean last = false;
        while (!last) {
            last = (flac[at] & 0x80) != 0;
            int type = flac[at] & 0x7F;
            int length = ((flac[at + 1] & 0xFF) << 16) | ((flac[at + 2] & 0xFF) << 8) | (flac[at + 3] & 0xFF);
            if (type != 1) { // 1 = PADDING
                lastKept = out.size();
                out.write(flac[at] & 0x7F);
                out.write(flac, at + 1, 3 + length);
            }
            at += 4 + length;
        }
        byte[] head = out.toByteArray();
        head[lastKept] |= (byte) 0x80; // the last metadata block kept says so
        int end = at;
        for (int f = 0; f < frames && end < flac.length; f++) {
            end++;
            while (end + 1 < flac.length && !((flac[end] & 0xFF) == 0xFF && (flac[end + 1] & 0xFF) == 0xF8)) {
                end++;
            }
        }
        out.reset();
        out.writeBytes(head);
        out.write(flac, at, Math.min(end, flac.length) - at);
        return out.toByteArray();
    }

    /**
     * An Ogg Opus file's two header pages, then one audio page rebuilt with only its first
     * {@code packets} packets (granule position and CRC recomputed, marked end of stream).
     */
    static byte[] shortOggOpus(byte[] ogg, int packets) {
        int at = 0;
        for (int page = 0; page < 2; page++) {
            at += pageSize(ogg, at);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ogg, 0, at);
        int segments = ogg[at + 26] & 0xFF;
        int data = at + 27 + segments;
        ByteArrayOutputStream lacing = new ByteArrayOutputStream();
        int bytes = 0;
        int kept = 0;
        for (int i = 0; i < segments && kept < packets; i++) {
            int v = ogg[at + 27 + i] & 0xFF;
            lacing.write(v);
            bytes += v;
            if (v < 255) {
                kept++;
            }
        }
        byte[] header = Arrays.copyOfRange(ogg, at, at + 27);
        header[5] = 0x04; // end of stream
        ByteBuffer.wrap(header, 6, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(960L * kept); // 20 ms packets
        Arrays.fill(header, 22, 26, (byte) 0);
        header[26] = (byte) lacing.size();
        ByteArrayOutputStream page = new ByteArrayOutputStream();
        page.writeBytes(header);
        page.writeBytes(lacing.toByteArray());
        page.write(ogg, data, bytes);
        byte[] p = page.toByteArray();
        ByteBuffer.wrap(p, 22, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(oggCrc(p));
        out.writeBytes(p);
        return out.toByteArray();
    }

    private static int pageSize(byte[] ogg, int at) {
        int segments = ogg[at + 26] & 0xFF;
        int size = 27 + segments;
        for (int i = 0; i < segments; i++) {
            size += ogg[at + 27 + i] & 0xFF;
        }
        return size;
    }

    /** Ogg's page checksum: CRC-32, polynomial 0x04C11DB7, not reflected, initial value 0. */
    private static int oggCrc(byte[] page) {
        int crc = 0;
        for (byte b : page) {
            crc ^= (b & 0xFF) << 24;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }
        return crc;
    }

    /** A PCM WAV of a 440 Hz tone. */
    static byte[] wav(int channels, int rate, int bits, int frames) {
        int bytesPerSample = bits / 8;
        int data = frames * channels * bytesPerSample;
        ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + data).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bytesPerSample).putShort((short) (channels * bytesPerSample))
                .putShort((short) bits);
        b.put("data".getBytes()).putInt(data);
        for (int i = 0; i < frames; i++) {
            double v = 0.4 * Math.sin(2 * Math.PI * 440 * i / rate);
            for (int c = 0; c < channels; c++) {
                long s = Math.round(v * ((1L << (bits - 1)) - 1));
                for (int k = 0; k < bytesPerSample; k++) {
                    b.put(bits == 8 ? (byte) (s + 128) : (byte) (s >> (8 * k)));
                }
            }
        }
        return b.array();
    }

    @Override
    public List<byte[]> dictionary() {
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
        return List.of("RIFF".getBytes(), "WAVE".getBytes(), "fmt ".getBytes(), "data".getBytes(), "LIST".getBytes(),
                "fLaC".getBytes(), "OggS".getBytes(), "OpusHead".getBytes(), "OpusTags".getBytes(), "ID3".getBytes(),
                new byte[] {(byte) 0xFF, (byte) 0xFB}, new byte[] {(byte) 0xFF, (byte) 0xF3}, big.toByteArray(),
                new byte[] {1, 0, 0, 0}, new byte[] {0x40, 0x1F, 0, 0}, new byte[] {3, 0}, new byte[] {(byte) 0xFE, (byte) 0xFF});
    }

    @Override
    public int maxLength() {
        return 10_000;
    }

    @Override
    public boolean run(byte[] file) {
        try {
            DecodedAudio audio = decoder.decode(file, "fuzz.bin");
            sink += audio.samples().length;
            return true;
        } catch (BadAudioFileException e) {
            if (e.getMessage() == null || e.getMessage().isBlank() || e.reason() == null) {
                throw new BrokenContract("a refusal without a reason", e);
            }
            return false;
        }
    }

    @Override
    public void close() {
    }
}
