package org.duet.jitsi.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the export round trip spends its time, frame by frame, from the mixers' frame trace
 * ({@code -Dduet.debug.frames=true}: when each Opus frame came in from the bridge and left again in a
 * synthetic source) and a singer page's received frames (the same frame straight from the bridge and
 * through Duet). All on one machine, so one wall clock. Per frame the page got through Duet:
 * <ul>
 *   <li>in: from the page receiving it straight from the bridge to the mixer receiving its export
 *       (the export hop bridge -> front -> mixer, minus the bridge's forwarding to the page);
 *   <li>mixer: from its arrival to its synthetic event leaving the mixer;
 *   <li>out: from there to the page (mixer -> front -> bridge injection -> page).
 * </ul>
 * in + mixer + out is the frame's added time through Duet.
 */
final class ExportHops {

    /** Frame times by key, per source tag and way ("in"/"out"), from the mixers' logs. */
    private final Map<String, Map<Long, List<Double>>> trace = new HashMap<>();

    private ExportHops() {
    }

    static ExportHops read(List<Path> mixerLogs) throws IOException {
        ExportHops h = new ExportHops();
        for (Path log : mixerLogs) {
            if (!Files.exists(log)) {
                continue;
            }
            for (String line : Files.readAllLines(log)) {
                int at = line.indexOf("frame in ");
                if (at < 0) {
                    at = line.indexOf("frame out ");
                }
                if (at < 0) {
                    continue;
                }
                String[] f = line.substring(at).trim().split(" ");
                if (f.length != 5) {
                    continue;
                }
                h.trace.computeIfAbsent(f[1] + " " + f[2], k -> new HashMap<>())
                        .computeIfAbsent(Long.parseLong(f[4]), k -> new ArrayList<>()).add(Long.parseLong(f[3]) / 1000.0);
            }
        }
        return h;
    }

    /**
     * The listener mix's cursor steps ({@code cursor step <room>/listeners <from> <to>} in the trace),
     * each with the first frame of {@code mixTag} that left after it: [frame key, step in ms (positive:
     * the cursor jumped later, less delay), that frame's send time (Unix ms)].
     */
    static List<double[]> mixSteps(List<Path> mixerLogs, String mixTag) throws IOException {
        List<double[]> steps = new ArrayList<>();
        for (Path log : mixerLogs) {
            if (!Files.exists(log)) {
                continue;
            }
            double pending = Double.NaN;
            for (String line : Files.readAllLines(log)) {
                int at = line.indexOf("cursor step ");
                if (at >= 0) {
                    String[] f = line.substring(at).trim().split(" ");
                    if (f.length == 5 && f[2].endsWith("/listeners")) {
                        double step = (Long.parseLong(f[4]) - Long.parseLong(f[3])) / 48.0;
                        pending = Double.isNaN(pending) ? step : pending + step;
                    }
                    continue;
                }
                at = line.indexOf("frame out " + mixTag + " ");
                if (at >= 0 && !Double.isNaN(pending)) {
                    String[] f = line.substring(at).trim().split(" ");
                    steps.add(new double[] {Long.parseLong(f[4]), pending, Long.parseLong(f[3]) / 1000.0});
                    pending = Double.NaN;
                }
            }
        }
        return steps;
    }

    boolean isEmpty() {
        return trace.isEmpty();
    }

    /**
     * [in, mixer, out] per frame of {@code source} that {@code direct} (the page's receive times by
     * key, straight from the bridge) and {@code viaDuet} (through Duet, [key, time]) both hold.
     */
    List<double[]> hops(String source, Map<Double, List<Double>> direct, List<double[]> viaDuet) {
        Map<Long, List<Double>> in = trace.getOrDefault("in " + source, Map.of());
        Map<Long, List<Double>> out = trace.getOrDefault("out " + source + ".duet", Map.of());
        List<double[]> hops = new ArrayList<>();
        for (double[] v : viaDuet) {
            long key = (long) v[0];
            double received = v[1];
            double sent = latestBefore(out.get(key), received);
            double arrived = latestBefore(in.get(key), sent);
            double straight = nearest(direct.get(v[0]), received);
            if (!Double.isNaN(sent) && !Double.isNaN(arrived) && !Double.isNaN(straight) && received - straight < 1000) {
                hops.add(new double[] {arrived - straight, sent - arrived, received - sent});
            }
        }
        return hops;
    }

    /** The latest time at or before {@code t} within a second (a looped signal repeats its frames). */
    private static double latestBefore(List<Double> times, double t) {
        double best = Double.NaN;
        if (times != null && !Double.isNaN(t)) {
            for (double x : times) {
                if (x <= t + 0.5 && t - x < 1000 && (Double.isNaN(best) || x > best)) {
                    best = x;
                }
            }
        }
        return best;
    }

    private static double nearest(List<Double> times, double t) {
        double best = Double.NaN;
        if (times != null) {
            for (double x : times) {
                if (Double.isNaN(best) || Math.abs(x - t) < Math.abs(best - t)) {
                    best = x;
                }
            }
        }
        return best;
    }
}
