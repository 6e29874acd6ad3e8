package org.duet.mixer.opus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encodes real signals and decodes them again, on every backend pairing: Concentus alone, libopus
 * alone, and each decoding the other's output (interoperability). Pairings with libopus are
 * skipped, with the reason, when the library is not installed.
 */
class OpusRoundTripTest {

    static Stream<Arguments> pairings() {
        return Stream.of(
                Arguments.of(OpusBackend.CONCENTUS, OpusBackend.CONCENTUS),
                Arguments.of(OpusBackend.LIBOPUS, OpusBackend.LIBOPUS),
                Arguments.of(OpusBackend.LIBOPUS, OpusBackend.CONCENTUS),
                Arguments.of(OpusBackend.CONCENTUS, OpusBackend.LIBOPUS));
    }

    private static void requireBackends(OpusBackend enc, OpusBackend dec) {
        if (enc == OpusBackend.LIBOPUS || dec == OpusBackend.LIBOPUS) {
            assumeTrue(Libopus.isAvailable(), () -> "SKIPPED: libopus (libopus.so.0) not loadable, "
                    + "install Debian libopus0 to run the native backend tests: " + Libopus.loadError());
        }
    }

    /** Encodes {@code seconds} of a signal frame by frame and decodes it; returns the decoded PCM. */
    private static short[] roundTrip(OpusSettings settings, OpusBackend enc, OpusBackend dec, short[] input) {
        int ch = settings.channels();
        int frame = settings.frameSamples();
        int frames = input.length / ch / frame;
        short[] out = new short[frames * frame * ch];
        byte[] packet = new byte[1500];
        try (OpusEncoder encoder = OpusCodecs.newEncoder(settings, enc);
             OpusDecoder decoder = OpusCodecs.newDecoder(ch, dec)) {
            for (int f = 0; f < frames; f++) {
                int n = encoder.encode(input, f * frame * ch, frame, packet, 0, packet.length);
                assertThat(n).as("encode frame %d", f).isPositive();
                assertThat(OpusPacketInfo.totalSamples(packet, 0, n)).isEqualTo(frame);
                int d = decoder.decode(packet, 0, n, out, f * frame * ch, frame);
                assertThat(d).as("decode frame %d", f).isEqualTo(frame);
            }
        }
        return out;
    }

    private static short[] toneInput(int channels, int samples, double... hz) {
        short[] pcm = new short[samples * channels];
        for (int c = 0; c < channels; c++) {
            Signals.tone(pcm, channels, c, 0, samples, hz[c], 10_000);
        }
        return pcm;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairings")
    void monoToneAt20msKeepsPitchAndLevel(OpusBackend enc, OpusBackend dec) {
        requireBackends(enc, dec);
        OpusSettings s = OpusSettings.music(1);
        short[] out = roundTrip(s, enc, dec, toneInput(1, Signals.RATE, 440));
        int from = Signals.RATE / 2;
        int n = Signals.RATE / 2;
        assertThat(Signals.peakFrequency(out, 1, 0, from, n)).isCloseTo(440, org.assertj.core.data.Offset.offset(2.0));
        assertThat(Signals.toneSnrDb(out, 1, 0, from, n, 440)).isGreaterThan(25);
        assertThat(Signals.toneAmplitude(out, 1, 0, from, n, 440)).isBetween(9000.0, 11000.0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairings")
    void monoToneAt10msFrames(OpusBackend enc, OpusBackend dec) {
        requireBackends(enc, dec);
        OpusSettings s = OpusSettings.music(1).withFrameSamples(480);
        short[] out = roundTrip(s, enc, dec, toneInput(1, Signals.RATE, 440));
        int from = Signals.RATE / 2;
        int n = Signals.RATE / 2;
        assertThat(Signals.peakFrequency(out, 1, 0, from, n)).isCloseTo(440, org.assertj.core.data.Offset.offset(2.0));
        assertThat(Signals.toneSnrDb(out, 1, 0, from, n, 440)).isGreaterThan(20);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairings")
    void restrictedLowDelayAt10ms(OpusBackend enc, OpusBackend dec) {
        requireBackends(enc, dec);
        OpusSettings s = OpusSettings.music(1).withFrameSamples(480)
                .withApplication(OpusApplication.RESTRICTED_LOWDELAY);
        short[] out = roundTrip(s, enc, dec, toneInput(1, Signals.RATE, 440));
        int from = Signals.RATE / 2;
        int n = Signals.RATE / 2;
        assertThat(Signals.peakFrequency(out, 1, 0, from, n)).isCloseTo(440, org.assertj.core.data.Offset.offset(2.0));
        assertThat(Signals.toneSnrDb(out, 1, 0, from, n, 440)).isGreaterThan(20);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairings")
    void stereoKeepsChannelsApart(OpusBackend enc, OpusBackend dec) {
        requireBackends(enc, dec);
        OpusSettings s = OpusSettings.music(2);
        short[] out = roundTrip(s, enc, dec, toneInput(2, Signals.RATE, 440, 660));
        int from = Signals.RATE / 2;
        int n = Signals.RATE / 2;
        assertThat(Signals.peakFrequency(out, 2, 0, from, n)).isCloseTo(440, org.assertj.core.data.Offset.offset(2.0));
        assertThat(Signals.peakFrequency(out, 2, 1, from, n)).isCloseTo(660, org.assertj.core.data.Offset.offset(2.0));
        assertThat(Signals.toneSnrDb(out, 2, 0, from, n, 440)).isGreaterThan(20);
        assertThat(Signals.toneSnrDb(out, 2, 1, from, n, 660)).isGreaterThan(20);
        double leak = Signals.goertzel(out, 2, 0, from, n, 660) / Signals.goertzel(out, 2, 0, from, n, 440);
        assertThat(10 * Math.log10(leak)).as("660 Hz leaking into the left channel, dB").isLessThan(-25);
    }

    /**
     * Drops isolated frames of a voiced signal and rebuilds each one twice: from the next packet's
     * in-band FEC and by concealment. Both are compared with what the decoder produced when nothing
     * was lost; FEC must be clearly closer.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairings")
    void inBandFecRecoversALostFrameBetterThanConcealment(OpusBackend enc, OpusBackend dec) {
        requireBackends(enc, dec);
        OpusSettings s = new OpusSettings(1, 32_000, 9, true, 20, false, OpusApplication.VOIP, 960);
        int frame = 960;
        int frames = 100;
        short[] input = new short[frames * frame];
        Signals.voice(input, 0, input.length, 12_000);
        byte[][] packets = new byte[frames][];
        try (OpusEncoder encoder = OpusCodecs.newEncoder(s, enc)) {
            byte[] buf = new byte[1500];
            for (int f = 0; f < frames; f++) {
                int n = encoder.encode(input, f * frame, frame, buf, 0, buf.length);
                assertThat(n).isPositive();
                packets[f] = java.util.Arrays.copyOf(buf, n);
            }
        }
        short[] reference = new short[frames * frame];
        try (OpusDecoder d = OpusCodecs.newDecoder(1, dec)) {
            for (int f = 0; f < frames; f++) {
                assertThat(d.decode(packets[f], 0, packets[f].length, reference, f * frame, frame)).isEqualTo(frame);
            }
        }
        short[] withFec = new short[frames * frame];
        short[] withPlc = new short[frames * frame];
        boolean[] lbrr = new boolean[frames];
        try (OpusDecoder fecDec = OpusCodecs.newDecoder(1, dec); OpusDecoder plcDec = OpusCodecs.newDecoder(1, dec)) {
            for (int f = 0; f < frames; f++) {
                if (isLost(f)) {
                    byte[] next = packets[f + 1];
                    lbrr[f] = OpusPacketInfo.hasInbandFec(next, 0, next.length);
                    assertThat(fecDec.decodeFec(next, 0, next.length, withFec, f * frame, frame)).isEqualTo(frame);
                    assertThat(plcDec.conceal(withPlc, f * frame, frame)).isEqualTo(frame);
                } else {
                    fecDec.decode(packets[f], 0, packets[f].length, withFec, f * frame, frame);
                    plcDec.decode(packets[f], 0, packets[f].length, withPlc, f * frame, frame);
                }
            }
        }
        double fecErr = 0;
        double plcErr = 0;
        double sig = 0;
        int lost = 0;
        int withLbrr = 0;
        for (int f = 0; f < frames; f++) {
            if (!isLost(f)) {
                continue;
            }
            lost++;
            double frameEnergy = Signals.energy(reference, f * frame, frame);
            double fecFrameErr = Signals.errorEnergy(withFec, f * frame, reference, f * frame, frame);
            if (lbrr[f]) {
                withLbrr++;
                fecErr += fecFrameErr;
                plcErr += Signals.errorEnergy(withPlc, f * frame, reference, f * frame, frame);
                sig += frameEnergy;
            } else {
                // no LBRR flag read: the decoder has nothing better than concealment either
                double plcFrameErr = Signals.errorEnergy(withPlc, f * frame, reference, f * frame, frame);
                assertThat(10 * Math.log10(plcFrameErr / fecFrameErr)).as("frame %d without LBRR: FEC gain over PLC, dB",
                        f).isLessThan(3);
            }
        }
        double fecSnr = 10 * Math.log10(sig / fecErr);
        double plcSnr = 10 * Math.log10(sig / plcErr);
        assertThat(withLbrr).as("packets after a loss that carry LBRR, of %d", lost).isGreaterThanOrEqualTo(lost / 2);
        assertThat(fecSnr).as("SNR of FEC-rebuilt frames (PLC gives %.1f dB)", plcSnr).isGreaterThan(plcSnr + 6);
        assertThat(fecSnr).isGreaterThan(5);
    }

    private static boolean isLost(int frame) {
        return frame >= 20 && frame < 99 && frame % 8 == 4;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairings")
    void dtxSendsTinyPacketsDuringSilence(OpusBackend enc, OpusBackend dec) {
        requireBackends(enc, dec);
        OpusSettings s = OpusSettings.voice(1).withDtx(true);
        int frame = 960;
        short[] pcm = new short[frame];
        byte[] buf = new byte[1500];
        int tinyInSilence = 0;
        int silentFrames = 0;
        int toneBytes = 0;
        try (OpusEncoder encoder = OpusCodecs.newEncoder(s, enc); OpusDecoder decoder = OpusCodecs.newDecoder(1, dec)) {
            for (int f = 0; f < 100; f++) {
                boolean silent = f >= 25;
                if (silent) {
                    java.util.Arrays.fill(pcm, (short) 0);
                } else {
                    Signals.voice(pcm, (long) f * frame, frame, 10_000);
                }
                int n = encoder.encode(pcm, 0, frame, buf, 0, buf.length);
                assertThat(n).isPositive();
                if (!silent) {
                    toneBytes += n;
                } else if (f >= 50) { // DTX needs a few hundred ms of silence to engage
                    silentFrames++;
                    if (OpusPacketInfo.isDtxOrEmpty(n)) {
                        tinyInSilence++;
                    }
                }
                short[] out = new short[frame];
                assertThat(decoder.decode(buf, 0, n, out, 0, frame)).isEqualTo(frame);
                if (f >= 50) {
                    assertThat(Signals.rms(out, 0, frame)).as("decoded DTX silence").isLessThan(50);
                }
            }
        }
        assertThat(toneBytes / 25).as("mean voice packet size").isGreaterThan(40);
        // DTX still sends a comfort-noise refresh every 400 ms: most, not all, packets are tiny
        assertThat(tinyInSilence).as("tiny packets among %d silent frames", silentFrames)
                .isGreaterThanOrEqualTo(silentFrames * 3 / 4);
    }
}
