package org.duet.mixer.jitter;

import java.lang.management.ManagementFactory;
import org.duet.mixer.opus.OpusDecoder;

/**
 * Wraps a real decoder and adds up the heap bytes its calls allocate on this thread, so a test
 * can subtract the codec (Concentus allocates per call; libopus does not) from what the jitter
 * buffer itself allocates.
 */
final class AllocationCountingDecoder implements OpusDecoder {

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final OpusDecoder delegate;
    long codecBytes;
    long calls;

    AllocationCountingDecoder(OpusDecoder delegate) {
        this.delegate = delegate;
    }

    static long allocatedNow() {
        return MX.getCurrentThreadAllocatedBytes();
    }

    @Override
    public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int maxSamplesPerChannel) {
        long before = allocatedNow();
        int r = delegate.decode(packet, off, len, pcm, pcmOff, maxSamplesPerChannel);
        codecBytes += allocatedNow() - before;
        calls++;
        return r;
    }

    @Override
    public int decodeFec(byte[] packet, int off, int len, short[] pcm, int pcmOff, int samplesPerChannel) {
        long before = allocatedNow();
        int r = delegate.decodeFec(packet, off, len, pcm, pcmOff, samplesPerChannel);
        codecBytes += allocatedNow() - before;
        calls++;
        return r;
    }

    @Override
    public int conceal(short[] pcm, int pcmOff, int samplesPerChannel) {
        long before = allocatedNow();
        int r = delegate.conceal(pcm, pcmOff, samplesPerChannel);
        codecBytes += allocatedNow() - before;
        calls++;
        return r;
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    @Override
    public int channels() {
        return delegate.channels();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
