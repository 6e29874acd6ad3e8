package org.duet.mixer.testing;

import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/**
 * Runs the Opus codec for a few seconds of audio so the JIT has compiled it before a real-time
 * test starts; otherwise the first seconds of a test measure the interpreter, not the mixer.
 */
public final class CodecWarmUp {

    private static boolean done;

    private CodecWarmUp() {
    }

    public static synchronized void run() {
        if (done) {
            return;
        }
        for (OpusApplication app : OpusApplication.values()) {
            for (int frame : new int[] {480, 960}) {
                OpusEncoder e = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false, app, frame));
                OpusDecoder d = OpusCodecs.newDecoder(1);
                short[] pcm = new short[frame];
                short[] out = new short[5760];
                byte[] buf = new byte[1500];
                for (int f = 0; f < 300; f++) {
                    for (int i = 0; i < frame; i++) {
                        pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * (f * frame + i) / 48_000.0));
                    }
                    int len = e.encode(pcm, 0, frame, buf, 0, buf.length);
                    if (len > 0) {
                        d.decode(buf, 0, len, out, 0, 5760);
                    }
                }
                e.close();
                d.close();
            }
        }
        done = true;
    }
}
