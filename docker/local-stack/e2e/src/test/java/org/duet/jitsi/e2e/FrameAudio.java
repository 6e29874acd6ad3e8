package org.duet.jitsi.e2e;

import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;

/**
 * Audio as Opus frames recorded in a page's encoded-frame worker, decoded here, each 10 ms placed
 * at a time of its own: for what a singer sent, Chromium's capture time of its frame (the
 * capture-time reference: Chromium's capture clock is the one its WebRTC stack stamps media with;
 * the page's own microphone recording, an AudioWorklet behind a MediaStreamAudioSourceNode, lags
 * it by a buffer of its own that differed between two pages by 60 ms in one run, so it cannot tell
 * which of two singers was captured first: docs/local-stack.md); for what a page received, its
 * media time ({@link Participant#receivedAudio}).
 */
final class FrameAudio {

    /** Samples per placed block (10 ms at 48 kHz): frames are 10 or 20 ms. */
    static final int BLOCK = 480;
    private static final int RATE = 48_000;

    private FrameAudio() {
    }

    /**
     * @param rtp     each frame's RTP timestamp (48 kHz), in sending order
     * @param capture each frame's time (capture, or placed by media time), Unix ms
     * @param data    each frame's Opus packet
     */
    static Participant.Track decode(long[] rtp, double[] capture, byte[][] data) {
        int n = rtp.length;
        long[] at = new long[n];
        for (int i = 0; i < n; i++) {
            at[i] = (rtp[i] - rtp[0]) & 0xFFFF_FFFFL; // unwrapped offset from the first frame
        }
        int frameLength = 960;
        long total = at[n - 1] + 2 * frameLength;
        if (total > 600L * RATE) {
            throw new AssertionError("sent frames span " + total / RATE + " s: their RTP timestamps are not one stream");
        }
        float[] samples = new float[(int) total];
        double[] blockEpoch = new double[(int) (total / BLOCK) + 1];
        java.util.Arrays.fill(blockEpoch, Double.NaN);
        short[] pcm = new short[5760];
        try (OpusDecoder decoder = OpusCodecs.newDecoder(1)) {
            for (int i = 0; i < n; i++) {
                int got = decoder.decode(data[i], 0, data[i].length, pcm, 0, 5760);
                if (got <= 0) {
                    continue;
                }
                int start = (int) at[i];
                for (int k = 0; k < got && start + k < samples.length; k++) {
                    samples[start + k] = pcm[k] / 32768f;
                }
                for (int b = 0; b * BLOCK < got; b++) {
                    int block = (start + b * BLOCK) / BLOCK;
                    if (block < blockEpoch.length) {
                        blockEpoch[block] = capture[i] + b * BLOCK * 1000.0 / RATE;
                    }
                }
            }
        }
        // blocks no frame covered (a lost frame): 10 ms after the block before
        double last = Double.NaN;
        for (int b = 0; b < blockEpoch.length; b++) {
            if (Double.isNaN(blockEpoch[b])) {
                blockEpoch[b] = Double.isNaN(last) ? capture[0] + b * BLOCK * 1000.0 / RATE : last + BLOCK * 1000.0 / RATE;
            }
            last = blockEpoch[b];
        }
        return new Participant.Track(samples, capture[0], RATE, new RecordingClock(capture[0], 0), blockEpoch);
    }

    /** Where the capture time moved against the media time by more than 1 ms (a capture glitch). */
    static List<String> captureSteps(long[] rtp, double[] capture) {
        List<String> steps = new ArrayList<>();
        for (int i = 1; i < rtp.length && steps.size() < 12; i++) {
            double media = ((rtp[i] - rtp[i - 1]) & 0xFFFF_FFFFL) * 1000.0 / RATE;
            double step = capture[i] - capture[i - 1] - media;
            if (Math.abs(step) > 1) {
                steps.add(String.format(java.util.Locale.ROOT, "%+.1f ms at %.2f s", step, (capture[i] - capture[0]) / 1000));
            }
        }
        return steps;
    }
}
