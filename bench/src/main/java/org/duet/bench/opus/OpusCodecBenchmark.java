package org.duet.bench.opus;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.duet.mixer.opus.Libopus;
import org.duet.mixer.opus.OpusBackend;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;

/**
 * Measures encode and decode cost per frame for each available backend: microseconds (wall
 * clock, single thread, after JIT warm-up) and Java heap bytes allocated per call (from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}). Prints {@code name value unit}
 * lines. Run: {@code java -cp ... org.duet.bench.opus.OpusCodecBenchmark [seconds-per-case]}.
 */
public final class OpusCodecBenchmark {

    private static final int RATE = 48_000;

    private OpusCodecBenchmark() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        List<OpusBackend> backends = new ArrayList<>();
        backends.add(OpusBackend.CONCENTUS);
        if (Libopus.isAvailable()) {
            backends.add(OpusBackend.LIBOPUS);
            System.out.println("# " + Libopus.version());
        } else {
            System.out.println("# libopus unavailable: " + Libopus.loadError());
        }
        System.out.println("# mono 64 kb/s, application AUDIO, complexity 9, 1 s of a 3-tone chord with vibrato");
        // a first, silent pass so the JIT has compiled both codecs before anything is timed
        for (OpusBackend backend : backends) {
            for (int frame : new int[] {960, 480}) {
                run(backend, frame, seconds, false);
            }
        }
        for (OpusBackend backend : backends) {
            for (int frame : new int[] {960, 480}) {
                run(backend, frame, seconds, true);
            }
        }
    }

    private static void run(OpusBackend backend, int frame, double seconds, boolean report) {
        reporting = report;
        String prefix = backend.name().toLowerCase(Locale.ROOT) + "." + (frame / 48) + "ms.";
        OpusSettings settings = OpusSettings.music(1).withFrameSamples(frame);
        int frames = RATE / frame;
        short[] pcm = new short[frames * frame];
        for (int i = 0; i < pcm.length; i++) {
            double t = i / (double) RATE;
            double vib = 3 * Math.sin(2 * Math.PI * 5 * t);
            pcm[i] = (short) (5000 * (Math.sin(2 * Math.PI * (262 + vib) * t) + Math.sin(2 * Math.PI * 330 * t)
                    + Math.sin(2 * Math.PI * 392 * t)) / 1.5);
        }
        byte[][] packets = new byte[frames][1500];
        int[] lengths = new int[frames];
        short[] out = new short[frame];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (OpusEncoder enc = OpusCodecs.newEncoder(settings, backend);
             OpusDecoder dec = OpusCodecs.newDecoder(1, backend)) {
            // warm-up and packets for the decode pass
            long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
            int f = 0;
            while (System.nanoTime() < warmEnd || f < frames) {
                int k = f % frames;
                lengths[k] = enc.encode(pcm, k * frame, frame, packets[k], 0, 1500);
                dec.decode(packets[k], 0, lengths[k], out, 0, frame);
                f++;
            }
            long calls = 0;
            long alloc0 = mx.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                for (int k = 0; k < frames; k++) {
                    lengths[k] = enc.encode(pcm, k * frame, frame, packets[k], 0, 1500);
                }
                calls += frames;
            }
            long t1 = System.nanoTime();
            long alloc1 = mx.getThreadAllocatedBytes(tid);
            print(prefix + "encode", (t1 - t0) / 1e3 / calls, "us");
            print(prefix + "encode.alloc", (alloc1 - alloc0) / (double) calls, "bytes");

            calls = 0;
            t0 = System.nanoTime();
            end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                for (int k = 0; k < frames; k++) {
                    dec.decode(packets[k], 0, lengths[k], out, 0, frame);
                }
                calls += frames;
            }
            t1 = System.nanoTime();
            long alloc2 = mx.getThreadAllocatedBytes(tid);
            print(prefix + "decode", (t1 - t0) / 1e3 / calls, "us");
            print(prefix + "decode.alloc", (alloc2 - alloc1) / (double) calls, "bytes");

            calls = 0;
            t0 = System.nanoTime();
            end = t0 + (long) (seconds * 0.5e9);
            while (System.nanoTime() < end) {
                for (int k = 0; k < 10; k++) {
                    dec.conceal(out, 0, frame);
                }
                dec.decode(packets[0], 0, lengths[0], out, 0, frame); // keep PLC from fading to zero work
                calls += 10;
            }
            t1 = System.nanoTime();
            print(prefix + "conceal", (t1 - t0) / 1e3 / calls, "us");
        }
    }

    private static boolean reporting;

    private static void print(String name, double value, String unit) {
        if (!reporting) {
            return;
        }
        System.out.printf(Locale.ROOT, "%s %.2f %s%n", name, value, unit);
    }
}
