package org.duet.mixer.backing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.JavaLayerException;
import javazoom.jl.decoder.SampleBuffer;
import org.duet.mixer.backing.BadAudioFileException.Reason;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.gagravarr.ogg.OggPacket;
import org.gagravarr.ogg.OggPacketReader;
import org.jflac.FLACDecoder;
import org.jflac.FrameListener;
import org.jflac.PCMProcessor;
import org.jflac.frame.Frame;
import org.jflac.metadata.Metadata;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

/**
 * Turns an audio file into a backing track: mono float at 48 kHz. The format is told by the
 * file's first bytes, never by its name. Each format goes through a library (docs/rehearsal.md):
 * WAV through the JDK's javax.sound, FLAC through JFLAC, MP3 through JLayer, Ogg Opus through
 * vorbis-java-core's Ogg reader and our Opus decoder. Runs on the decode worker, never on a media loop.
 *
 * <p>Every failure is a {@link BadAudioFileException} with a sentence a singer can act on; a
 * library's own exceptions never escape.
 */
public final class AudioFileDecoder {

    private final long maxBytes;
    private final int maxSeconds;

    /**
     * @param maxBytes   larger files are refused before decoding
     * @param maxSeconds longer files are refused while decoding (decoding stops there)
     */
    public AudioFileDecoder(long maxBytes, int maxSeconds) {
        this.maxBytes = maxBytes;
        this.maxSeconds = maxSeconds;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int maxSeconds() {
        return maxSeconds;
    }

    /** The kinds of file told apart by their first bytes. */
    enum Kind { WAV, FLAC, OGG, MP3, UNKNOWN }

    static Kind sniff(byte[] b) {
        if (b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) {
            return Kind.WAV;
        }
        if (b.length >= 4 && ascii(b, 0, "fLaC")) {
            return Kind.FLAC;
        }
        if (b.length >= 4 && ascii(b, 0, "OggS")) {
            return Kind.OGG;
        }
        if (b.length >= 3 && ascii(b, 0, "ID3")) {
            return Kind.MP3;
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xe0) == 0xe0) {
            return Kind.MP3; // an MPEG audio frame sync at the very start
        }
        return Kind.UNKNOWN;
    }

    private static boolean ascii(byte[] b, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[off + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public DecodedAudio decode(byte[] file, String name) throws BadAudioFileException {
        if (file.length > maxBytes) {
            throw new BadAudioFileException(Reason.TOO_LARGE, name + " is " + mib(file.length)
                    + "; backing tracks may be at most " + mib(maxBytes) + ".");
        }
        if (file.length == 0) {
            throw new BadAudioFileException(Reason.EMPTY, name + " is empty.");
        }
        Kind kind = sniff(file);
        try {
            DecodedAudio audio = switch (kind) {
                case WAV -> wav(file, name);
                case FLAC -> flac(file, name);
                case OGG -> oggOpus(file, name);
                case MP3 -> mp3(file, name);
                case UNKNOWN -> throw new BadAudioFileException(Reason.UNSUPPORTED, name
                        + " is not an audio file this server reads: use WAV, FLAC, Ogg Opus or MP3.");
            };
            if (audio.samples().length < 480) {
                throw new BadAudioFileException(Reason.EMPTY, name + " holds no audio (shorter than 10 ms).");
            }
            return audio;
        } catch (BadAudioFileException e) {
            throw e;
        } catch (IOException | RuntimeException | JavaLayerException e) {
            throw new BadAudioFileException(Reason.CORRUPT, name + " looks like " + label(kind)
                    + " but could not be decoded (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); the file may be damaged.");
        }
    }

    private static String label(Kind k) {
        return switch (k) {
            case WAV -> "WAV";
            case FLAC -> "FLAC";
            case OGG -> "Ogg";
            case MP3 -> "MP3";
            default -> "audio";
        };
    }

    // ---- WAV (javax.sound: PCM 8-32 bit, float) ----

    private DecodedAudio wav(byte[] file, String name) throws IOException, BadAudioFileException {
        try (AudioInputStream source = AudioSystem.getAudioInputStream(new ByteArrayInputStream(file))) {
            AudioFormat f = source.getFormat();
            int ch = f.getChannels();
            float rate = f.getSampleRate();
            if (ch < 1 || ch > 8 || !(rate >= 1000 && rate <= 768_000)) {
                throw new BadAudioFileException(Reason.CORRUPT, name + ": WAV header says " + ch + " channels at "
                        + rate + " Hz.");
            }
            AudioFormat pcm16 = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, rate, 16, ch, ch * 2, rate, false);
            try (AudioInputStream s16 = AudioSystem.getAudioInputStream(pcm16, source)) {
                MonoSink sink = new MonoSink(limitSamples(rate), name, maxSeconds);
                byte[] buf = new byte[ch * 2 * 4096];
                int n;
                int carry = 0;
                while ((n = s16.readNBytes(buf, carry, buf.length - carry)) > 0 || carry > 0) {
                    int have = carry + n;
                    int frames = have / (2 * ch);
                    for (int i = 0; i < frames; i++) {
                        float sum = 0;
                        for (int c = 0; c < ch; c++) {
                            int idx = (i * ch + c) * 2;
                            sum += (short) ((buf[idx] & 0xff) | (buf[idx + 1] << 8)) / 32768f;
                        }
                        sink.add(sum / ch);
                    }
                    carry = have - frames * 2 * ch;
                    System.arraycopy(buf, frames * 2 * ch, buf, 0, carry);
                    if (n <= 0) {
                        break;
                    }
                }
                return new DecodedAudio(Resampler.to48k(sink.samples(), rate, maxOut()), "WAV", (int) rate, ch);
            }
        } catch (UnsupportedAudioFileException | IllegalArgumentException e) {
            throw new BadAudioFileException(Reason.CORRUPT, name + " is a WAV file in an encoding this server does"
                    + " not read, or is damaged (" + e.getMessage() + "); use 16- or 24-bit PCM.");
        }
    }

    // ---- FLAC (JFLAC) ----

    private DecodedAudio flac(byte[] file, String name) throws IOException, BadAudioFileException {
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(file));
        StreamInfo info = decoder.readStreamInfo();
        if (info == null || info.getChannels() < 1 || info.getSampleRate() <= 0 || info.getBitsPerSample() < 4) {
            throw new BadAudioFileException(Reason.CORRUPT, name + " has no valid FLAC stream header.");
        }
        int ch = info.getChannels();
        int bits = info.getBitsPerSample();
        int rate = info.getSampleRate();
        if (info.getTotalSamples() > (long) maxSeconds * rate) {
            throw tooLong(name, info.getTotalSamples() / (double) rate);
        }
        MonoSink sink = new MonoSink(limitSamples(rate), name, maxSeconds);
        int bytesPerSample = (bits + 7) / 8;
        float scale = 1f / (1L << (bytesPerSample * 8 - 1));
        BadAudioFileException[] stop = new BadAudioFileException[1];
        decoder.addPCMProcessor(new PCMProcessor() {
            @Override
            public void processStreamInfo(StreamInfo streamInfo) {
            }

            @Override
            public void processPCM(ByteData pcm) {
                if (stop[0] != null) {
                    return;
                }
                byte[] d = pcm.getData();
                int frameBytes = bytesPerSample * ch;
                int frames = pcm.getLen() / frameBytes;
                for (int i = 0; i < frames; i++) {
                    float sum = 0;
                    for (int c = 0; c < ch; c++) {
                        int at = i * frameBytes + c * bytesPerSample;
                        int v = 0;
                        for (int b = 0; b < bytesPerSample; b++) { // little-endian, sign from the top byte
                            v |= (b == bytesPerSample - 1 ? d[at + b] : d[at + b] & 0xff) << (8 * b);
                        }
                        sum += v * scale;
                    }
                    try {
                        sink.add(sum / ch);
                    } catch (BadAudioFileException e) {
                        stop[0] = e;
                        return;
                    }
                }
            }
        });
        // JFLAC's frame loop can spin for ever on some damaged files (it re-reads the end of the stream
        // without ending; found by ./duet bench --fuzz): each lost sync or bad header is reported
        // here, and past about one per byte of the file the decode is given up.
        long errorBudget = 1000L + file.length;
        decoder.addFrameListener(new FrameListener() {
            private long errors;

            @Override
            public void processMetadata(Metadata metadata) {
            }

            @Override
            public void processFrame(Frame frame) {
            }

            @Override
            public void processError(String message) {
                if (++errors > errorBudget) {
                    throw new IllegalStateException("more than " + errorBudget + " damaged frames or lost syncs");
                }
            }
        });
        decoder.decodeFrames();
        if (stop[0] != null) {
            throw stop[0];
        }
        if (decoder.getBadFrames() > 0 && sink.count() == 0) {
            throw new BadAudioFileException(Reason.CORRUPT, name + ": no FLAC frame decoded.");
        }
        return new DecodedAudio(Resampler.to48k(sink.samples(), rate, maxOut()), "FLAC", rate, ch);
    }

    // ---- Ogg Opus (vorbis-java-core's Ogg reader + our Opus decoder) ----

    private DecodedAudio oggOpus(byte[] file, String name) throws IOException, BadAudioFileException {
        OggPacketReader reader = new OggPacketReader(new ByteArrayInputStream(file));
        OggPacket head = reader.getNextPacket();
        if (head == null) {
            throw new BadAudioFileException(Reason.CORRUPT, name + " is an Ogg file with no packets.");
        }
        byte[] h = head.getData();
        if (h.length >= 7 && h[0] == 1 && ascii(h, 1, "vorbis")) {
            throw new BadAudioFileException(Reason.UNSUPPORTED, name + " is Ogg Vorbis, which this server does not"
                    + " read: use Ogg Opus, FLAC, WAV or MP3.");
        }
        if (h.length < 19 || !ascii(h, 0, "OpusHead")) {
            throw new BadAudioFileException(Reason.UNSUPPORTED, name + " is an Ogg file without an Opus stream: use"
                    + " Ogg Opus, FLAC, WAV or MP3.");
        }
        int ch = h[9] & 0xff;
        int preSkip = (h[10] & 0xff) | (h[11] & 0xff) << 8;
        int mapping = h[18] & 0xff;
        if (ch < 1 || ch > 2 || mapping != 0 && mapping != 1) {
            throw new BadAudioFileException(Reason.UNSUPPORTED, name + " is Ogg Opus with " + ch
                    + " channels (mapping family " + mapping + "); mono or stereo files only.");
        }
        int sid = head.getSid();
        OggPacket tags = reader.getNextPacketWithSid(sid);
        if (tags == null || tags.getData().length < 8 || !ascii(tags.getData(), 0, "OpusTags")) {
            throw new BadAudioFileException(Reason.CORRUPT, name + ": the Ogg Opus comment header is missing.");
        }
        MonoSink sink = new MonoSink(limitSamples(48_000), name, maxSeconds);
        short[] pcm = new short[5760 * ch];
        long lastGranule = -1;
        int toSkip = preSkip;
        try (OpusDecoder decoder = OpusCodecs.newDecoder(ch)) {
            OggPacket p;
            int index = 0;
            while ((p = reader.getNextPacketWithSid(sid)) != null) {
                byte[] d = p.getData();
                index++;
                int n = decoder.decode(d, 0, d.length, pcm, 0, 5760);
                if (n < 0) {
                    throw new BadAudioFileException(Reason.CORRUPT, name + ": Opus packet " + index
                            + " does not decode (error " + n + "); the file may be damaged.");
                }
                for (int i = 0; i < n; i++) {
                    if (toSkip > 0) {
                        toSkip--;
                        continue;
                    }
                    float v = ch == 2 ? (pcm[2 * i] + pcm[2 * i + 1]) * (0.5f / 32768f) : pcm[i] / 32768f;
                    sink.add(v);
                }
                if (p.getGranulePosition() > 0) {
                    lastGranule = p.getGranulePosition();
                }
            }
        }
        float[] s = sink.samples();
        if (lastGranule > preSkip && lastGranule - preSkip < s.length) {
            s = java.util.Arrays.copyOf(s, (int) (lastGranule - preSkip)); // end trimming (RFC 7845 4.4)
        }
        return new DecodedAudio(s, "Ogg Opus", 48_000, ch);
    }

    // ---- MP3 (JLayer) ----

    private DecodedAudio mp3(byte[] file, String name) throws JavaLayerException, BadAudioFileException {
        Bitstream bits = new Bitstream(new ByteArrayInputStream(file));
        Decoder decoder = new Decoder();
        MonoSink sink = null;
        int rate = 0;
        int ch = 0;
        int frames = 0;
        try {
            Header header;
            while ((header = bits.readFrame()) != null) {
                SampleBuffer out = (SampleBuffer) decoder.decodeFrame(header, bits);
                if (sink == null) {
                    rate = out.getSampleFrequency();
                    ch = out.getChannelCount();
                    sink = new MonoSink(limitSamples(rate), name, maxSeconds);
                }
                short[] s = out.getBuffer();
                int len = out.getBufferLength();
                int c = Math.max(1, out.getChannelCount());
                for (int i = 0; i + c - 1 < len; i += c) {
                    float sum = 0;
                    for (int k = 0; k < c; k++) {
                        sum += s[i + k] / 32768f;
                    }
                    sink.add(sum / c);
                }
                bits.closeFrame();
                frames++;
            }
        } finally {
            bits.close();
        }
        if (sink == null || frames == 0) {
            throw new BadAudioFileException(Reason.CORRUPT, name + " has no MP3 audio frames.");
        }
        return new DecodedAudio(Resampler.to48k(sink.samples(), rate, maxOut()), "MP3", rate, ch);
    }

    // ---- helpers ----

    private long limitSamples(double rate) {
        return (long) Math.ceil(maxSeconds * rate);
    }

    private int maxOut() {
        return (int) Math.min(Integer.MAX_VALUE - 8, 48_000L * maxSeconds);
    }

    private BadAudioFileException tooLong(String name, double seconds) {
        return new BadAudioFileException(Reason.TOO_LONG, String.format(java.util.Locale.ROOT,
                "%s is %.0f s long; backing tracks may be at most %d s.", name, seconds, maxSeconds));
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Collects mono samples, refusing beyond the duration limit. */
    private static final class MonoSink {
        private final long limit;
        private final String name;
        private final int maxSeconds;
        private float[] buf = new float[1 << 16];
        private int n;

        MonoSink(long limit, String name, int maxSeconds) {
            this.limit = limit;
            this.name = name;
            this.maxSeconds = maxSeconds;
        }

        void add(float v) throws BadAudioFileException {
            if (n >= limit) {
                throw new BadAudioFileException(Reason.TOO_LONG, name + " is longer than " + maxSeconds
                        + " s, the longest backing track this server plays.");
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.min(limit, 2L * n)));
            }
            buf[n++] = Float.isFinite(v) ? v : 0f;
        }

        int count() {
            return n;
        }

        float[] samples() {
            return java.util.Arrays.copyOf(buf, n);
        }
    }
}
