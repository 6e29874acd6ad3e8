package org.duet.bench.rtp;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;
import java.util.ArrayList;
import java.util.List;
import org.duet.bench.analysis.CrossCorrelator;
import org.duet.bench.signal.TestSignal;

/**
 * A test signal Opus-encoded once (20 ms frames, 48 kHz mono, 64 kbit/s, CELT-friendly music
 * mode) so that every simulated singer replays the same packets without spending bench CPU on
 * encoding. The loop is encoded twice and the second pass kept, so the encoder state at the loop
 * seam is that of a running stream.
 *
 * <p>It also decodes its own packets once and locates each click in the decoded audio: that
 * position (the click's sample after codec delay) tells which packet carries the click and is the
 * reference every received copy is compared with.
 */
public final class EncodedLoop {

    private final TestSignal signal;
    private final byte[][] packets;
    private final int[] decodedClickPositions;

    private EncodedLoop(TestSignal signal, byte[][] packets, int[] decodedClickPositions) {
        this.signal = signal;
        this.packets = packets;
        this.decodedClickPositions = decodedClickPositions;
    }

    public static EncodedLoop encode(TestSignal signal) {
        byte[][] packets = encodeFrames(signal.pcm());
        return new EncodedLoop(signal, packets, locateClicks(signal, packets));
    }

    /**
     * Encodes 48 kHz mono PCM (a whole number of 20 ms frames) as a loop: two passes, the second
     * kept.
     */
    public static byte[][] encodeFrames(short[] pcm) {
        try {
            OpusEncoder encoder = new OpusEncoder(TestSignal.SAMPLE_RATE, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
            encoder.setBitrate(64_000);
            encoder.setComplexity(5);
            encoder.setSignalType(OpusSignal.OPUS_SIGNAL_MUSIC);
            encoder.setUseVBR(true);
            int frames = pcm.length / TestSignal.FRAME;
            byte[][] packets = new byte[frames][];
            byte[] out = new byte[1500];
            for (int pass = 0; pass < 2; pass++) {
                for (int f = 0; f < frames; f++) {
                    int len = encoder.encode(pcm, f * TestSignal.FRAME, TestSignal.FRAME, out, 0, out.length);
                    if (pass == 1) {
                        packets[f] = java.util.Arrays.copyOf(out, len);
                    }
                }
            }
            return packets;
        } catch (OpusException e) {
            throw new IllegalStateException("Opus encoder failed", e);
        }
    }

    /** Decodes packets in order with a fresh decoder (the first pass over a loop), as floats. */
    public static float[] decodeFrames(byte[][] packets) {
        try {
            OpusDecoder decoder = new OpusDecoder(TestSignal.SAMPLE_RATE, 1);
            short[] pcm = new short[packets.length * TestSignal.FRAME];
            for (int f = 0; f < packets.length; f++) {
                decoder.decode(packets[f], 0, packets[f].length, pcm, f * TestSignal.FRAME, TestSignal.FRAME, false);
            }
            return CrossCorrelator.toFloat(pcm, 0, pcm.length);
        } catch (OpusException e) {
            throw new IllegalStateException("Opus decoder failed", e);
        }
    }

    private static int[] locateClicks(TestSignal signal, byte[][] packets) {
        try {
            OpusDecoder decoder = new OpusDecoder(TestSignal.SAMPLE_RATE, 1);
            int loop = signal.lengthSamples();
            short[] decoded = new short[loop * 2];
            for (int pass = 0; pass < 2; pass++) {
                for (int f = 0; f < packets.length; f++) {
                    decoder.decode(packets[f], 0, packets[f].length, decoded, pass * loop + f * TestSignal.FRAME,
                            TestSignal.FRAME, false);
                }
            }
            float[] second = CrossCorrelator.toFloat(decoded, loop, loop);
            int[] starts = signal.clickStarts();
            int[] found = new int[starts.length];
            for (int c = 0; c < starts.length; c++) {
                // the codec delays by a few ms at most; search a 20 ms window after the original position
                CrossCorrelator.Match m = CrossCorrelator.best(second, signal.clickTemplate(), starts[c],
                        starts[c] + TestSignal.FRAME);
                if (m.score() < 0.6) {
                    throw new IllegalStateException("click " + c + " did not survive encoding: score " + m.score());
                }
                found[c] = m.position();
            }
            return found;
        } catch (OpusException e) {
            throw new IllegalStateException("Opus decoder failed", e);
        }
    }

    public TestSignal signal() {
        return signal;
    }

    public int frames() {
        return packets.length;
    }

    /** Opus payload for stream frame n (the loop repeats). */
    public byte[] packet(long n) {
        return packets[(int) Math.floorMod(n, (long) packets.length)];
    }

    /** Where each click lies in the decoded loop (sample index within one loop). */
    public int[] decodedClickPositions() {
        return decodedClickPositions.clone();
    }

    /** Codec delay in samples as measured on the first click (decoded position minus original). */
    public int codecDelaySamples() {
        return decodedClickPositions[0] - signal.clickStarts()[0];
    }

    /** The clicks of stream frames [0, totalFrames): absolute decoded sample positions. */
    public List<Long> clickPositionsUpTo(long totalFrames) {
        List<Long> out = new ArrayList<>();
        long loop = signal.lengthSamples();
        long total = totalFrames * TestSignal.FRAME;
        for (long r = 0; r * loop < total; r++) {
            for (int p : decodedClickPositions) {
                long abs = r * loop + p;
                if (abs < total) {
                    out.add(abs);
                }
            }
        }
        return out;
    }
}
