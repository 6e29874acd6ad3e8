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
        out.add(wav(1, 48_000, 16, 2400));
        out.add(wav(2, 44_100, 16, 2205));
        out.add(wav(1, 8_000, 8, 400));
        out.add(wav(1, 48_000, 24, 1200));
        try {
            // heads of the real files: a few frames each, so a case costs microseconds, not a whole decode
            out.add(head(FILES.resolve("tone-1k-44k1-stereo.flac"), 9000));
            out.add(head(FILES.resolve("tone-1k-44k1-stereo.mp3"), 2400));
            out.add(head(FILES.resolve("tone-1k-44k1-stereo.opus"), 2600));
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
        return 12_000;
    }

    @Override
    public boolean run(byte[] file) {
        try {
            DecodedAudio audio = decoder.decode(file, "fuzz.bin");
            sink += audio.samples().length;
            return true;
        } catch (BadAudioFileException e) {
            if (e.getMessage() == null || e.getMessage().isBlank() || e.reason() == null) {
                throw new IllegalStateException("a refusal without a reason", e);
            }
            return false;
        }
    }

    @Override
    public void close() {
    }
}
