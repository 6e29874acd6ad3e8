package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;

/** Records every frame a jitter buffer emits into preallocated arrays (so it allocates nothing). */
final class RecordingSink implements DecodedFrameSink {

    final long[] timestamps;
    final int[] samples;
    final FrameKind[] kinds;
    final short[] pcm;
    int frames;
    int pcmSamples;
    private final int channels;

    RecordingSink(int maxFrames, int maxSamplesPerChannel, int channels) {
        this.timestamps = new long[maxFrames];
        this.samples = new int[maxFrames];
        this.kinds = new FrameKind[maxFrames];
        this.pcm = new short[maxSamplesPerChannel * channels];
        this.channels = channels;
    }

    @Override
    public void onFrame(long extendedTimestamp, short[] data, int samplesPerChannel, int ch, FrameKind kind) {
        if (frames < timestamps.length) {
            timestamps[frames] = extendedTimestamp;
            samples[frames] = samplesPerChannel;
            kinds[frames] = kind;
            frames++;
        }
        int n = Math.min(samplesPerChannel * ch, pcm.length - pcmSamples * channels);
        if (n > 0) {
            System.arraycopy(data, 0, pcm, pcmSamples * channels, n);
            pcmSamples += n / channels;
        }
    }

    int count(FrameKind kind) {
        int c = 0;
        for (int i = 0; i < frames; i++) {
            if (kinds[i] == kind) {
                c++;
            }
        }
        return c;
    }

    long samplesOf(FrameKind kind) {
        long c = 0;
        for (int i = 0; i < frames; i++) {
            if (kinds[i] == kind) {
                c += samples[i];
            }
        }
        return c;
    }

    /** Every frame starts where the previous one ended, from {@code from} (exclusive) to {@code to}. */
    void assertContiguous(int from, int to) {
        for (int i = from + 1; i < to; i++) {
            assertThat(timestamps[i]).as("frame %d (%s) starts where frame %d ended", i, kinds[i], i - 1)
                    .isEqualTo(timestamps[i - 1] + samples[i - 1]);
        }
    }

    void assertContiguous() {
        assertContiguous(0, frames);
    }

    long endTimestamp() {
        return frames == 0 ? 0 : timestamps[frames - 1] + samples[frames - 1];
    }
}
