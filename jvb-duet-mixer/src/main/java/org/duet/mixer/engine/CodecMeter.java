package org.duet.mixer.engine;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;

/**
 * Counts what the Opus codec allocates, so the engine's own allocation can be told apart from the
 * codec's (Concentus allocates tens of kilobytes per call; Duet's target is zero per packet).
 * Wraps encoders and decoders only when metering is switched on ({@code duet.opus.meter-allocation}),
 * because reading the thread's allocation counter costs a little on every call.
 */
public final class CodecMeter {

    private static final CodecMeter GLOBAL = new CodecMeter();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();

    public static CodecMeter global() {
        return GLOBAL;
    }

    public long allocatedBytes() {
        return allocated.get();
    }

    public long calls() {
        return calls.get();
    }

    private void record(long before) {
        allocated.addAndGet(THREADS.getCurrentThreadAllocatedBytes() - before);
        calls.incrementAndGet();
    }

    private static long now() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    public OpusEncoder wrap(OpusEncoder e) {
        return new OpusEncoder() {
            @Override
            public int encode(short[] pcm, int pcmOff, int samplesPerChannel, byte[] out, int outOff, int maxBytes) {
                long before = now();
                try {
                    return e.encode(pcm, pcmOff, samplesPerChannel, out, outOff, maxBytes);
                } finally {
                    record(before);
                }
            }

            @Override
            public void setBitrate(int bitsPerSecond) {
                e.setBitrate(bitsPerSecond);
            }

            @Override
            public void setComplexity(int complexity) {
                e.setComplexity(complexity);
            }

            @Override
            public void setInbandFec(boolean enabled, int expectedLossPercent) {
                e.setInbandFec(enabled, expectedLossPercent);
            }

            @Override
            public void setDtx(boolean enabled) {
                e.setDtx(enabled);
            }

            @Override
            public int channels() {
                return e.channels();
            }

            @Override
            public void close() {
                e.close();
            }
        };
    }

    public OpusDecoder wrap(OpusDecoder d) {
        return new OpusDecoder() {
            @Override
            public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int maxSamplesPerChannel) {
                long before = now();
                try {
                    return d.decode(packet, off, len, pcm, pcmOff, maxSamplesPerChannel);
                } finally {
                    record(before);
                }
            }

            @Override
            public int decodeFec(byte[] packet, int off, int len, short[] pcm, int pcmOff, int samplesPerChannel) {
                long before = now();
                try {
                    return d.decodeFec(packet, off, len, pcm, pcmOff, samplesPerChannel);
                } finally {
                    record(before);
                }
            }

            @Override
            public int conceal(short[] pcm, int pcmOff, int samplesPerChannel) {
                long before = now();
                try {
                    return d.conceal(pcm, pcmOff, samplesPerChannel);
                } finally {
                    record(before);
                }
            }

            @Override
            public void reset() {
                d.reset();
            }

            @Override
            public int channels() {
                return d.channels();
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }
}
