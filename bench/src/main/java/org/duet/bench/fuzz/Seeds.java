package org.duet.bench.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/** Helpers for building valid inputs. */
final class Seeds {

    private Seeds() {
    }

    static List<byte[]> ascii(String... texts) {
        List<byte[]> out = new ArrayList<>();
        for (String t : texts) {
            out.add(t.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Real Opus packets: a voice-like tone encoded as voice (SILK/hybrid, FEC) and as music (CELT), 10 and 20 ms. */
    static List<byte[]> opusPackets() {
        List<byte[]> out = new ArrayList<>();
        OpusSettings[] kinds = {OpusSettings.voice(1), OpusSettings.music(1), OpusSettings.music(2),
            OpusSettings.voice(1).withBitrate(12_000)};
        for (OpusSettings s : kinds) {
            for (int frame : new int[] {960, 480}) {
                OpusSettings settings = new OpusSettings(s.channels(), s.bitrate(), s.complexity(), s.fec(),
                        s.expectedLossPercent(), s.dtx(), s.application(), frame);
                try (OpusEncoder enc = OpusCodecs.newEncoder(settings, OpusBackend.AUTO)) {
                    short[] pcm = new short[frame * s.channels()];
                    byte[] packet = new byte[1500];
                    for (int f = 0; f < 6; f++) {
                        for (int i = 0; i < frame; i++) {
                            double t = (f * frame + i) / 48_000.0;
                            short v = (short) (8000 * Math.sin(2 * Math.PI * 220 * t) * (1 + 0.3 * Math.sin(2 * Math.PI * 5 * t)));
                            for (int c = 0; c < s.channels(); c++) {
                                pcm[i * s.channels() + c] = v;
                            }
                        }
                        int n = enc.encode(pcm, 0, frame, packet, 0, packet.length);
                        if (f >= 3 && n > 0) { // past the encoder's start-up
                            out.add(java.util.Arrays.copyOf(packet, n));
                        }
                    }
                }
            }
        }
        return out;
    }
}
