package org.duet.coordinator.testing;

import java.util.Base64;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/** Real Opus for the failover test: one second of a tone per voice, encoded once, and tone detection. */
public final class OpusVoices {

    private OpusVoices() {
    }

    /** 50 base64 Opus frames (20 ms, 48 kHz mono) of a sine at {@code hz}, -12 dBFS. */
    public static String[] tone(double hz) {
        String[] frames = new String[50];
        OpusEncoder encoder = OpusCodecs.newEncoder(new OpusSettings(1, 48_000, 5, false, 0, false,
                OpusApplication.AUDIO, 960));
        short[] pcm = new short[960];
        byte[] out = new byte[1500];
        long n = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int f = 0; f < 50; f++) {
                for (int i = 0; i < 960; i++, n++) {
                    pcm[i] = (short) (0.25 * 32767 * Math.sin(2 * Math.PI * hz * n / 48_000.0));
                }
                int len = encoder.encode(pcm, 0, 960, out, 0, out.length);
                frames[f] = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(out, len));
            }
        }
        encoder.close();
        return frames;
    }

    /** Decodes base64 Opus payloads (stereo or mono) to mono PCM, in order. */
    public static short[] decode(java.util.List<String> payloads) {
        OpusDecoder decoder = OpusCodecs.newDecoder(1);
        short[] all = new short[payloads.size() * 960];
        short[] pcm = new short[5760];
        int at = 0;
        for (String p : payloads) {
            byte[] b = Base64.getDecoder().decode(p);
            int n = decoder.decode(b, 0, b.length, pcm, 0, 5760);
            int take = Math.min(n, all.length - at);
            if (take > 0) {
                System.arraycopy(pcm, 0, all, at, take);
                at += take;
            }
        }
        decoder.close();
        return java.util.Arrays.copyOf(all, at);
    }

    /** Power of {@code hz} in {@code pcm} (Goertzel), relative to full scale, in dB. */
    public static double levelDb(short[] pcm, double hz) {
        double w = 2 * Math.PI * hz / 48_000.0;
        double c = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (short v : pcm) {
            double s = v / 32768.0 + c * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - c * s1 * s2;
        double amplitude = 2 * Math.sqrt(Math.max(power, 1e-30)) / Math.max(1, pcm.length);
        return 20 * Math.log10(Math.max(amplitude, 1e-12));
    }
}
