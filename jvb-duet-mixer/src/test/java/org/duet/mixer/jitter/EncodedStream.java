package org.duet.mixer.jitter;

import java.util.Arrays;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/** Real Opus packets of a test signal, one per frame, with the PCM they were made from. */
final class EncodedStream {

    final int frameSamples;
    final int channels;
    final byte[][] packets;
    final short[] input;

    private EncodedStream(int frameSamples, int channels, byte[][] packets, short[] input) {
        this.frameSamples = frameSamples;
        this.channels = channels;
        this.packets = packets;
        this.input = input;
    }

    /** A mono sine at {@code hz}, {@code frames} frames of the settings' size. */
    static EncodedStream tone(OpusSettings settings, int frames, double hz) {
        short[] pcm = new short[frames * settings.frameSamples()];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.round(9000 * Math.sin(2 * Math.PI * hz * i / 48_000.0));
        }
        return encode(settings, pcm);
    }

    static EncodedStream encode(OpusSettings settings, short[] pcm) {
        int frame = settings.frameSamples();
        int frames = pcm.length / frame / settings.channels();
        byte[][] packets = new byte[frames][];
        byte[] buf = new byte[1500];
        try (OpusEncoder enc = OpusCodecs.newEncoder(settings, OpusBackend.AUTO)) {
            for (int f = 0; f < frames; f++) {
                int n = enc.encode(pcm, f * frame * settings.channels(), frame, buf, 0, buf.length);
                if (n <= 0) {
                    throw new IllegalStateException("encode failed: " + n);
                }
                packets[f] = Arrays.copyOf(buf, n);
            }
        }
        return new EncodedStream(frame, settings.channels(), packets, pcm);
    }

    int size() {
        return packets.length;
    }
}
