package org.duet.mixer.jitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.duet.mixer.jitter.ArrivalSchedule.MS;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.opus.Signals;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Steady state of insert + drainDue allocates nothing: real Opus with loss (so FEC and PLC run),
 * reordering and duplicates, measured with the thread allocation counter. The decoder's own
 * allocation is measured call by call and subtracted (zero with libopus, ~24 KB per call with
 * Concentus).
 */
class JitterBufferAllocationTest {

    /** Counts frames without allocating. */
    private static final class CountingSink implements DecodedFrameSink {
        long frames;
        long samples;
        long expectedTs = Long.MIN_VALUE;
        long discontinuities;

        @Override
        public void onFrame(long ts, short[] pcm, int samplesPerChannel, int channels, FrameKind kind) {
            if (expectedTs != Long.MIN_VALUE && ts != expectedTs) {
                discontinuities++;
            }
            expectedTs = ts + samplesPerChannel;
            frames++;
            samples += samplesPerChannel;
        }
    }

    @ParameterizedTest
    @EnumSource(value = OpusBackend.class, names = {"CONCENTUS", "AUTO"})
    void steadyStateInsertAndDrainAllocateNothing(OpusBackend backend) {
        int frames = 3000;
        short[] pcm = new short[frames * 960];
        Signals.voice(pcm, 0, pcm.length, 10_000);
        EncodedStream s = EncodedStream.encode(new OpusSettings(1, 32_000, 5, true, 10, false,
                OpusApplication.VOIP, 960), pcm);
        Random rnd = new Random(21);
        int n = 0;
        int[] seq = new int[frames * 2];
        long[] ts = new long[frames * 2];
        long[] arrival = new long[frames * 2];
        int[] payload = new int[frames * 2];
        for (int i = 0; i < frames; i++) {
            if (rnd.nextDouble() < 0.05) {
                continue; // lost
            }
            long a = (i + 1) * 20 * MS + 10 * MS + (long) (rnd.nextDouble() * 30 * MS);
            seq[n] = (60_000 + i) & 0xFFFF; // wraps during the run
            ts[n] = 4_000_000_000L + i * 960L;
            arrival[n] = a;
            payload[n++] = i;
            if (rnd.nextDouble() < 0.02) { // a duplicate a little later
                seq[n] = seq[n - 1];
                ts[n] = ts[n - 1];
                arrival[n] = a + 7 * MS;
                payload[n++] = i;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> arrival[i]));
        int[] byArrival = new int[n];
        for (int i = 0; i < n; i++) {
            byArrival[i] = order[i];
        }

        AllocationCountingDecoder decoder = new AllocationCountingDecoder(OpusCodecs.newDecoder(1, backend));
        JitterBuffer jb = new JitterBuffer(JitterBufferConfig.defaults().withDelayRange(25, 300, 40), decoder);
        CountingSink sink = new CountingSink();
        long warmupEnd = 1000 * 20 * MS;
        long end = (frames + 1) * 20 * MS + 100 * MS;
        int next = 0;
        long allocStart = 0;
        long codecStart = 0;
        long packetsMeasured = 0;
        for (long now = 0; now <= end; now += 2 * MS) {
            if (now == warmupEnd) {
                allocStart = AllocationCountingDecoder.allocatedNow();
                codecStart = decoder.codecBytes;
                packetsMeasured = -next;
            }
            while (next < n && arrival[byArrival[next]] <= now) {
                int k = byArrival[next++];
                byte[] p = s.packets[payload[k]];
                jb.insert(seq[k], ts[k], 42, arrival[k], p, 0, p.length);
            }
            jb.drainDue(now, sink);
        }
        long total = AllocationCountingDecoder.allocatedNow() - allocStart;
        long codec = decoder.codecBytes - codecStart;
        packetsMeasured += next;
        long own = total - codec;
        JitterStats st = jb.stats();
        System.out.printf("allocation: %d packets, total %d B, codec %d B (%s), jitter buffer %d B; %s%n",
                packetsMeasured, total, codec, backend,
                own, st);
        assertThat(own).as("bytes allocated by the jitter buffer over %d packets", packetsMeasured).isLessThan(512);
        assertThat(st.fecRecovered() + st.concealed()).isPositive();
        assertThat(st.duplicates()).isPositive();
        assertThat(st.reordered()).isPositive();
        assertThat(sink.discontinuities).isZero();
        assertThat(sink.samples).isGreaterThanOrEqualTo(frames * 960L);
    }
}
