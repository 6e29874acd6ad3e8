package org.duet.mixer.mix;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * A backing track the server plays onto the capture timeline: sample {@code i} of the track sits
 * at server position {@code start + i} (looping), so singers hear it in their mix-minus and the
 * listener mix carries it aligned with the voices. Loaded whole into memory as mono float at
 * 48 kHz (a 4-minute song is 46 MB; fine for a duet server).
 */
public final class BackingTrack implements MixSource {

    /** Longest track accepted: 15 minutes. */
    public static final int MAX_SAMPLES = 48_000 * 60 * 15;
    static final int MAX_CHANNELS = 8;
    static final float MIN_RATE = 8_000f;
    static final float MAX_RATE = 192_000f;
    /**
     * The most 16-bit PCM read from one file: 15 minutes of 48 kHz stereo (173 MB). Longer, faster or
     * wider files are cut there. With the rate and channel checks this bounds a load to about 0.5 GB
     * transient and {@code 4 * MAX_SAMPLES} bytes kept, whatever the header claims.
     */
    static final long MAX_DECODED_BYTES = 48_000L * 60 * 15 * 2 * 2;

    private final float[] samples;
    private final boolean loop;
    private long start = Long.MIN_VALUE;

    public BackingTrack(float[] samples, boolean loop) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("backing track is empty");
        }
        this.samples = samples;
        this.loop = loop;
    }

    /** Reads a PCM WAV (8/16/24/32-bit, any rate, mono or more channels: downmixed). */
    public static BackingTrack load(Path wav, boolean loop) throws IOException {
        // A regular, non-empty file only: a device (/dev/zero), a FIFO or a /proc file never ends,
        // and javax.sound's file readers read on until the end (found by ./duet bench --fuzz: a PUT
        // of the backing track with "/dev/zero" held an HTTP thread for good).
        if (!Files.isRegularFile(wav)) {
            throw new IOException("not a regular file: " + wav);
        }
        if (Files.size(wav) == 0) {
            throw new IOException("empty file: " + wav);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(wav))) {
            return new BackingTrack(decodeWav(in), loop);
        } catch (UnsupportedAudioFileException e) {
            throw new IOException("not a PCM WAV file: " + wav + " (" + e.getMessage() + ")", e);
        }
    }

    static float[] decodeWav(InputStream in) throws IOException, UnsupportedAudioFileException {
        try (AudioInputStream source = AudioSystem.getAudioInputStream(in)) {
            AudioFormat f = source.getFormat();
            // Checked before any buffer is sized: a file's header must not make the server allocate
            // hundreds of MB (a 1 kHz file expands 48x) or overflow the length arithmetic.
            if (f.getChannels() < 1 || f.getChannels() > MAX_CHANNELS) {
                throw new UnsupportedAudioFileException("backing tracks have 1 to " + MAX_CHANNELS + " channels");
            }
            if (!(f.getSampleRate() >= MIN_RATE && f.getSampleRate() <= MAX_RATE)) {
                throw new UnsupportedAudioFileException("backing tracks are sampled at " + (int) MIN_RATE + " to "
                        + (int) MAX_RATE + " Hz");
            }
            AudioFormat pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, f.getSampleRate(), 16,
                    f.getChannels(), f.getChannels() * 2, f.getSampleRate(), false);
            try (AudioInputStream s16 = AudioSystem.getAudioInputStream(pcm, source)) {
                // at most MAX_SAMPLES at 48 kHz, counted in the file's own frames
                long maxFrames = (long) Math.ceil(MAX_SAMPLES * (double) f.getSampleRate() / 48_000.0);
                long maxBytes = maxFrames * 2L * f.getChannels();
                byte[] bytes = s16.readNBytes((int) Math.min(maxBytes, MAX_DECODED_BYTES));
                int ch = f.getChannels();
                int frames = bytes.length / (2 * ch);
                float[] mono = new float[frames];
                for (int i = 0; i < frames; i++) {
                    float sum = 0;
                    for (int c = 0; c < ch; c++) {
                        int idx = (i * ch + c) * 2;
                        sum += (short) ((bytes[idx] & 0xff) | (bytes[idx + 1] << 8)) / 32768f;
                    }
                    mono[i] = sum / ch;
                }
                return resampleTo48k(mono, f.getSampleRate());
            }
        }
    }

    /** Linear interpolation: adequate for a backing track; supply 48 kHz files for best quality. */
    static float[] resampleTo48k(float[] in, float rate) {
        if (Math.abs(rate - 48_000f) < 0.5f) {
            return in;
        }
        double step = rate / 48_000.0;
        int n = (int) Math.min(MAX_SAMPLES, (long) Math.floor((in.length - 1) / step) + 1);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double x = i * step;
            int j = (int) x;
            float frac = (float) (x - j);
            float a = in[j];
            float b = j + 1 < in.length ? in[j + 1] : a;
            out[i] = a + (b - a) * frac;
        }
        return out;
    }

    /** Starts playing so that track sample 0 is at server position {@code position}. */
    public void startAt(long position) {
        start = position;
    }

    public boolean started() {
        return start != Long.MIN_VALUE;
    }

    public int lengthSamples() {
        return samples.length;
    }

    @Override
    public long completeThrough(long tickPosition) {
        return Long.MAX_VALUE; // the server makes it: never waits for anything
    }

    @Override
    public boolean isStale(long tickPosition) {
        return !started();
    }

    @Override
    public void mixInto(long position, float gain, float[] out, int outOff, int count) {
        if (!started()) {
            return;
        }
        // In runs of consecutive samples: the track position is wrapped once per run, not per
        // sample (a 64-bit remainder on every sample of every output once the track had looped).
        int n = samples.length;
        int i = 0;
        long t = position - start;
        if (t < 0) { // before the start: silence
            if (-t >= count) {
                return;
            }
            i = (int) -t;
            t = 0;
        }
        if (t >= n) {
            if (!loop) {
                return;
            }
            t %= n;
        }
        int at = (int) t;
        while (i < count) {
            int run = Math.min(count - i, n - at);
            for (int k = 0; k < run; k++) {
                out[outOff + i + k] += gain * samples[at + k];
            }
            i += run;
            if (!loop) {
                return; // past the end
            }
            at = 0;
        }
    }
}
