package org.duet.bench.analysis;

import java.util.Arrays;
import org.duet.bench.net.ReceivedStream;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;

/**
 * A received Opus stream decoded onto its own RTP-timestamp timeline: sample 0 is the first
 * packet's timestamp; gaps (lost or never sent) are filled by the decoder's concealment, so a
 * sample position maps to the packet that carried it and to that packet's arrival time.
 */
public final class DecodedStream {

    private static final int MAX_SAMPLES = 48_000 * 600;
    private final float[] audio;
    private final long[] packetStart;
    private final int[] packetLength;
    private final long[] packetArrival;
    private final int packets;

    private DecodedStream(float[] audio, long[] packetStart, int[] packetLength, long[] packetArrival, int packets) {
        this.audio = audio;
        this.packetStart = packetStart;
        this.packetLength = packetLength;
        this.packetArrival = packetArrival;
        this.packets = packets;
    }

    public static DecodedStream decode(ReceivedStream s) {
        if (!s.hasPayloads()) {
            throw new IllegalArgumentException("stream was recorded without payloads");
        }
        int n = s.count();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(s.timestamp(a), s.timestamp(b)));
        long ts0 = n == 0 ? 0 : s.timestamp(order[0]);
        long[] start = new long[n];
        int[] length = new int[n];
        long[] arrival = new long[n];
        int kept = 0;
        long end = n == 0 ? 0 : Math.min(MAX_SAMPLES, s.timestamp(order[n - 1]) - ts0 + 5760);
        short[] pcm = new short[(int) Math.max(0, end)];
        short[] scratch = new short[5760];
        try (OpusDecoder decoder = OpusCodecs.newDecoder(1, OpusBackend.AUTO)) {
            long cursor = 0;
            long lastTs = Long.MIN_VALUE;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                long pos = s.timestamp(i) - ts0;
                if (s.timestamp(i) == lastTs || pos < cursor || pos >= pcm.length - 5760) {
                    continue; // duplicate, overlapping or beyond the buffer
                }
                // conceal the gap in at most 20 ms steps, as a real receiver would
                int guard = 0;
                while (cursor < pos && guard++ < 3000) {
                    int step = (int) Math.min(960, pos - cursor);
                    int got = safeConceal(decoder, scratch, step);
                    if (got <= 0) {
                        break;
                    }
                    System.arraycopy(scratch, 0, pcm, (int) cursor, Math.min(got, (int) (pos - cursor)));
                    cursor += got;
                }
                cursor = pos;
                byte[] payload = s.payload(i);
                int got;
                try {
                    got = decoder.decode(payload, 0, payload.length, scratch, 0, scratch.length);
                } catch (RuntimeException | AssertionError e) {
                    got = safeConceal(decoder, scratch, 960);
                }
                if (got <= 0) {
                    continue;
                }
                System.arraycopy(scratch, 0, pcm, (int) pos, got);
                start[kept] = pos;
                length[kept] = got;
                arrival[kept] = s.arrivalNanos(i);
                kept++;
                cursor = pos + got;
                lastTs = s.timestamp(i);
            }
            float[] audio = new float[(int) Math.min(cursor, pcm.length)];
            for (int i = 0; i < audio.length; i++) {
                audio[i] = pcm[i] / 32768f;
            }
            return new DecodedStream(audio, start, length, arrival, kept);
        }
    }

    private static int safeConceal(OpusDecoder decoder, short[] scratch, int samples) {
        try {
            return decoder.conceal(scratch, 0, samples);
        } catch (RuntimeException | AssertionError e) {
            Arrays.fill(scratch, 0, samples, (short) 0);
            return samples;
        }
    }

    public float[] audio() {
        return audio;
    }

    public int packets() {
        return packets;
    }

    /** Index of the packet whose decoded samples contain {@code position}, or -1 (concealed gap). */
    public int packetAt(long position) {
        int lo = 0, hi = packets - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (packetStart[mid] > position) {
                hi = mid - 1;
            } else if (packetStart[mid] + packetLength[mid] <= position) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    public long packetArrivalNanos(int packet) {
        return packetArrival[packet];
    }

    public long packetStart(int packet) {
        return packetStart[packet];
    }
}
