package org.duet.bench.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the media loop's time and allocations go, read from a JFR recording of the mixer process
 * (JDK's own {@code jdk.jfr.consumer} API, no extra library). CPU: {@code jdk.ExecutionSample} and
 * {@code jdk.NativeMethodSample} of the media-loop threads (a native sample there is a codec call:
 * the loop never blocks in native code), by the method on top of the stack ("self") and by every
 * Duet method on the stack ("inclusive"), and by area of the engine. Allocation:
 * {@code jdk.ObjectAllocationSample} of Duet's threads, weighted by the bytes JFR attributes to
 * each sample, by the innermost Duet method.
 */
public final class JfrProfile {

    /** Areas of the engine, by package or method (first match wins). */
    static final Map<String, String> AREAS = new LinkedHashMap<>();

    static {
        AREAS.put("opus_encode", "encode");
        AREAS.put("opus_decode", "decode");
        AREAS.put("org.duet.mixer.opus.", "opus other");
        AREAS.put("org.duet.mixer.echo.", "echo detection");
        AREAS.put("org.duet.mixer.dsp.", "echo detection");
        AREAS.put("org.duet.mixer.jitter.", "jitter buffer");
        AREAS.put("org.duet.mixer.mix.", "mixing");
        AREAS.put("org.duet.mixer.timeline.", "mixing");
        AREAS.put("org.duet.mixer.backing.", "mixing");
        AREAS.put("sun.nio.ch.", "socket send");
        AREAS.put("org.duet.mixer.transport.", "socket send");
        AREAS.put("org.duet.mixer.rtp.", "rtp/rtcp");
        AREAS.put("org.duet.mixer.rtcp.", "rtp/rtcp");
        AREAS.put("org.duet.mixer.output.", "output (limiter, packetize)");
        AREAS.put("org.duet.mixer.sync.", "sync");
        AREAS.put("org.duet.mixer.adapt.", "adaptation");
    }

    /** A method and its share of the samples (CPU) or of the sampled bytes (allocation). */
    public record Row(String method, double share, long count) {
    }

    public record Summary(long cpuSamples, List<Row> self, List<Row> inclusive, Map<String, Double> areas,
                          long allocBytes, List<Row> allocation) {
    }

    private JfrProfile() {
    }

    public static Summary read(Path jfr) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> areas = new HashMap<>();
        Map<String, Long> alloc = new HashMap<>();
        long samples = 0;
        long allocBytes = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String type = e.getEventType().getName();
            boolean cpu = type.equals("jdk.ExecutionSample") || type.equals("jdk.NativeMethodSample");
            boolean allocation = type.equals("jdk.ObjectAllocationSample");
            if (!cpu && !allocation) {
                continue;
            }
            RecordedThread t = e.getThread(cpu ? "sampledThread" : "eventThread");
            String thread = t == null ? "" : String.valueOf(t.getJavaName());
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            List<String> frames = new ArrayList<>();
            for (RecordedFrame f : st.getFrames()) {
                frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
            }
            if (allocation) {
                if (!thread.startsWith("duet")) {
                    continue;
                }
                long w = e.getLong("weight");
                allocBytes += w;
                String at = frames.stream().filter(m -> m.startsWith("org.duet.")).findFirst().orElse(frames.get(0));
                alloc.merge(at + " (" + frames.get(0) + ")", w, Long::sum);
                continue;
            }
            if (!thread.startsWith("duet-media")) {
                continue;
            }
            samples++;
            self.merge(frames.get(0), 1L, Long::sum);
            areas.merge(areaOf(frames), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (String m : frames) {
                if (m.startsWith("org.duet.") && seen.add(m)) {
                    inclusive.merge(m, 1L, Long::sum);
                }
            }
        }
        Map<String, Double> areaShares = new LinkedHashMap<>();
        long total = samples;
        areas.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(en -> areaShares.put(en.getKey(), total == 0 ? 0 : en.getValue() / (double) total));
        return new Summary(samples, top(self, samples, 20), top(inclusive, samples, 25), areaShares, allocBytes,
                top(alloc, allocBytes, 12));
    }

    /** The first frame (innermost) that names an area, else "other". */
    static String areaOf(List<String> frames) {
        for (String m : frames) {
            for (Map.Entry<String, String> a : AREAS.entrySet()) {
                if (m.contains(a.getKey())) {
                    return a.getValue();
                }
            }
        }
        return "other";
    }

    private static List<Row> top(Map<String, Long> counts, long total, int n) {
        return counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(n)
                .map(en -> new Row(en.getKey(), total == 0 ? 0 : en.getValue() / (double) total, en.getValue()))
                .toList();
    }
}
