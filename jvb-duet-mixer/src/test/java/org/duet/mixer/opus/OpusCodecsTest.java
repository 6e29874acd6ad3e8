package org.duet.mixer.opus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpusCodecsTest {

    @AfterEach
    void clear() {
        OpusCodecs.setBackend(null);
        System.clearProperty(OpusCodecs.BACKEND_PROPERTY);
    }

    @Test
    void concentusIsTheDefault() {
        assertThat(OpusCodecs.requestedBackend()).isEqualTo(OpusBackend.CONCENTUS);
        try (OpusDecoder d = OpusCodecs.newDecoder(2)) {
            assertThat(d).isInstanceOf(ConcentusOpusDecoder.class);
            assertThat(d.channels()).isEqualTo(2);
        }
    }

    @Test
    void systemPropertyAndConfigChooseTheBackend() {
        System.setProperty(OpusCodecs.BACKEND_PROPERTY, "LibOpus");
        assertThat(OpusCodecs.requestedBackend()).isEqualTo(OpusBackend.LIBOPUS);
        OpusCodecs.setBackend(OpusBackend.CONCENTUS);
        assertThat(OpusCodecs.requestedBackend()).isEqualTo(OpusBackend.CONCENTUS);
        OpusCodecs.setBackend(OpusBackend.AUTO);
        try (OpusEncoder e = OpusCodecs.newEncoder(OpusSettings.voice(1))) {
            assertThat(e).isInstanceOf(Libopus.isAvailable() ? LibopusEncoder.class : ConcentusOpusEncoder.class);
        }
    }

    @Test
    void libopusBackendWhenInstalled() {
        assumeTrue(Libopus.isAvailable(), () -> "SKIPPED: libopus not loadable: " + Libopus.loadError());
        OpusCodecs.setBackend(OpusBackend.LIBOPUS);
        assertThat(Libopus.version()).startsWith("libopus");
        try (OpusDecoder d = OpusCodecs.newDecoder(1); OpusEncoder e = OpusCodecs.newEncoder(OpusSettings.music(1))) {
            assertThat(d).isInstanceOf(LibopusDecoder.class);
            assertThat(e).isInstanceOf(LibopusEncoder.class);
        }
    }

    /**
     * The point of the native backend: encode and decode allocate nothing on the Java heap, even
     * with payloads and PCM at non-zero offsets (RTP payload after the header).
     */
    @Test
    void libopusAllocatesNothingPerFrame() {
        assumeTrue(Libopus.isAvailable(), () -> "SKIPPED: libopus not loadable: " + Libopus.loadError());
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        short[] pcm = new short[960 + 7];
        Signals.tone(pcm, 1, 0, 0, 960, 440, 9000);
        short[] out = new short[960 + 5];
        byte[] packet = new byte[1500];
        try (OpusEncoder e = new LibopusEncoder(OpusSettings.voice(1)); OpusDecoder d = new LibopusDecoder(1)) {
            for (int i = 0; i < 2000; i++) { // warm up JIT
                int n = e.encode(pcm, i & 1, 960, packet, 12, 1400);
                d.decode(packet, 12, n, out, i & 1, 960);
                d.conceal(out, 0, 960);
            }
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 500; i++) {
                int n = e.encode(pcm, i & 1, 960, packet, 12, 1400);
                d.decode(packet, 12, n, out, i & 1, 960);
                d.decodeFec(packet, 12, n, out, 0, 960);
                d.conceal(out, 0, 960);
            }
            long perFrame = (mx.getThreadAllocatedBytes(tid) - before) / 500;
            assertThat(perFrame).as("bytes allocated per encode+decode+fec+plc").isLessThan(16);
        }
    }

    @Test
    void libopusCodecsRefuseWorkAfterClose() {
        assumeTrue(Libopus.isAvailable(), () -> "SKIPPED: libopus not loadable: " + Libopus.loadError());
        LibopusEncoder e = new LibopusEncoder(OpusSettings.music(1));
        LibopusDecoder d = new LibopusDecoder(1);
        short[] pcm = new short[960];
        byte[] out = new byte[1500];
        int n = e.encode(pcm, 0, 960, out, 0, out.length);
        assertThat(n).isPositive();
        e.close();
        d.close();
        e.close(); // twice is harmless
        d.close();
        assertThat(e.encode(pcm, 0, 960, out, 0, out.length)).isEqualTo(OpusError.INVALID_STATE);
        assertThat(d.decode(out, 0, n, pcm, 0, 960)).isEqualTo(OpusError.INVALID_STATE);
        assertThat(d.conceal(pcm, 0, 960)).isEqualTo(OpusError.INVALID_STATE);
    }
}
