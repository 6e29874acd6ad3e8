package org.duet.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.duet.bench.analysis.Percentiles;
import org.duet.bench.duet.DuetServer;
import org.duet.bench.net.NetworkProfile;
import org.duet.bench.report.Figure;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.workload.Workload;
import org.duet.bench.workload.WorkloadSpec;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * {@code ./duet bench --soak 30m [--duets N]}: one mixer process runs D duets (default 20, backing
 * track in every room, every client-to-server packet delayed 20 +- 20 ms and 2 % dropped) for the
 * given time. Every interval (a minute, or a tenth of a short soak) it samples the mixer: heap in
 * use right after a full collection, the p99 of the loop's tick time over the interval (the tick
 * histogram is reset after each sample), the listener mixes' delay and the singers' jitter
 * targets as the mixer reports them, and the process's CPU. Prints the figures (heap slope by
 * least squares after the first fifth of the run, first-to-last-quarter drift of the tick and the
 * delay) and plots the samples to a PNG.
 */
public final class SoakRun {

    /** One sample of the mixer over one interval. */
    record Sample(double minutes, double heapKb, double tickP99Us, double listenerDelayMs, double jitterTargetMs,
                  long deadlineMisses, long ticks) {
    }

    private SoakRun() {
    }

    /** "30m", "90s", "1h" or plain seconds. */
    public static Duration parseDuration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        long n = Long.parseLong(v.replaceAll("[smh]$", ""));
        Duration d = v.endsWith("h") ? Duration.ofHours(n) : v.endsWith("m") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
        if (d.toSeconds() < 30 || d.toHours() > 24) {
            throw new IllegalArgumentException("--soak takes 30s to 24h, got " + s);
        }
        return d;
    }

    public static List<Figure> run(DuetServerStarter starter, Duration duration, int duets, int portBase,
                                   Path plotFile, EncodedLoop a, EncodedLoop b) throws Exception {
        long seconds = duration.toSeconds();
        long intervalMs = Math.max(3_000, Math.min(60_000, seconds * 1000 / 10));
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (DuetServer server = starter.start()) {
            Thread sampler = new Thread(() -> sample(server, intervalMs, seconds, samples, stop), "bench-soak-sampler");
            sampler.setDaemon(true);
            // warm-up 5 s, then the soak; no audio is recorded (the mixer's own figures tell the delay)
            WorkloadSpec spec = new WorkloadSpec(duets, 5, (int) seconds, 0, 0,
                    NetworkProfile.JITTER_20MS_LOSS_2, portBase);
            Thread runner = new Thread(() -> {
                try {
                    Workload.run(server, spec, a, b);
                } catch (IOException e) {
                    System.err.println("bench: soak workload failed: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-soak-workload");
            runner.start();
            Thread.sleep(6_000); // duets joined, warm-up under way
            server.api().resetTickStats();
            sampler.start();
            runner.join(TimeUnit.SECONDS.toMillis(seconds + 120));
            stop.set(true);
            sampler.join(TimeUnit.SECONDS.toMillis(30));
        }
        List<Sample> s;
        synchronized (samples) {
            s = new ArrayList<>(samples);
        }
        return figures(s, plot(s, plotFile));
    }

    /** Starts the mixer under test. */
    public interface DuetServerStarter {
        DuetServer start() throws Exception;
    }

    private static void sample(DuetServer server, long intervalMs, long seconds, List<Sample> out,
                               AtomicBoolean stop) {
        long t0 = System.nanoTime();
        while (!stop.get()) {
            try {
                Thread.sleep(intervalMs);
                // only while the singers send: after the window the voices go stale and the delay means nothing
                if (stop.get() || System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(seconds)) {
                    return;
                }
                JsonNode stats = server.api().stats();
                server.api().resetTickStats();
                long heap = server.heapAfterGc();
                List<Double> delay = new ArrayList<>();
                List<Double> target = new ArrayList<>();
                for (JsonNode room : stats.path("rooms")) {
                    for (JsonNode p : room.path("participants")) {
                        JsonNode st = p.path("stats");
                        if (p.path("role").asText().equals("listener") && st.path("mixDelayMs").isNumber()) {
                            delay.add(st.path("mixDelayMs").asDouble());
                        } else if (p.path("role").asText().startsWith("singer") && st.path("jitterTargetMs").isNumber()) {
                            target.add(st.path("jitterTargetMs").asDouble());
                        }
                    }
                }
                JsonNode tick = stats.path("tick");
                Sample smp = new Sample((System.nanoTime() - t0) / 60e9, heap / 1024.0,
                        tick.path("p99Micros").asDouble(Double.NaN),
                        delay.isEmpty() ? Double.NaN : Percentiles.of(delay, 50),
                        target.isEmpty() ? Double.NaN : Percentiles.of(target, 50),
                        tick.path("deadlineMisses").asLong(), tick.path("ticks").asLong());
                synchronized (out) {
                    out.add(smp);
                }
                System.err.printf(Locale.ROOT, "bench: soak %.1f min: heap after GC %.0f KB, tick p99 %.0f us, "
                                + "listener delay %.1f ms, jitter target %.1f ms%n", smp.minutes(), smp.heapKb(),
                        smp.tickP99Us(), smp.listenerDelayMs(), smp.jitterTargetMs());
            } catch (IOException e) {
                System.err.println("bench: soak sample failed: " + e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static List<Figure> figures(List<Sample> s, Path plot) {
        List<Figure> out = new ArrayList<>();
        out.add(new Figure("soak_samples", s.size(), "samples"));
        out.add(new Figure("soak_minutes", s.isEmpty() ? 0 : s.get(s.size() - 1).minutes(), "min"));
        // the first fifth settles (JIT, pools, jitter histograms); the slope is fitted on the rest
        List<Sample> settled = s.subList(Math.min(s.size(), Math.max(1, s.size() / 5)), s.size());
        out.add(new Figure("soak_heap_slope_kb_per_min", slope(settled), "KB/min"));
        out.add(new Figure("soak_heap_after_gc_kb_last", s.isEmpty() ? Double.NaN : s.get(s.size() - 1).heapKb(), "KB"));
        int q = Math.max(1, s.size() / 4);
        out.add(new Figure("soak_tick_p99_us_first_quarter", median(s.subList(0, Math.min(q, s.size())), 0), "us"));
        out.add(new Figure("soak_tick_p99_us_last_quarter", median(s.subList(Math.max(0, s.size() - q), s.size()), 0), "us"));
        out.add(new Figure("soak_tick_p99_us_max", s.stream().mapToDouble(Sample::tickP99Us).max().orElse(Double.NaN), "us"));
        out.add(new Figure("soak_listener_delay_ms_first_quarter", median(s.subList(0, Math.min(q, s.size())), 1), "ms"));
        out.add(new Figure("soak_listener_delay_ms_last_quarter",
                median(s.subList(Math.max(0, s.size() - q), s.size()), 1), "ms"));
        long misses = s.stream().mapToLong(Sample::deadlineMisses).sum();
        long ticks = s.stream().mapToLong(Sample::ticks).sum();
        out.add(new Figure("soak_tick_deadline_miss_ratio", ticks == 0 ? Double.NaN : misses / (double) ticks, "ratio"));
        System.err.println("bench: soak plot " + plot);
        return out;
    }

    /** Least-squares slope of heap (KB) against minutes. */
    static double slope(List<Sample> s) {
        if (s.size() < 2) {
            return Double.NaN;
        }
        double mx = 0, my = 0;
        for (Sample x : s) {
            mx += x.minutes();
            my += x.heapKb();
        }
        mx /= s.size();
        my /= s.size();
        double sxy = 0, sxx = 0;
        for (Sample x : s) {
            sxy += (x.minutes() - mx) * (x.heapKb() - my);
            sxx += (x.minutes() - mx) * (x.minutes() - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    private static double median(List<Sample> s, int which) {
        List<Double> v = new ArrayList<>();
        for (Sample x : s) {
            double d = which == 0 ? x.tickP99Us() : x.listenerDelayMs();
            if (Double.isFinite(d)) {
                v.add(d);
            }
        }
        return v.isEmpty() ? Double.NaN : Percentiles.of(v, 50);
    }

    static Path plot(List<Sample> s, Path file) {
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            XYChart chart = new XYChartBuilder().width(900).height(500)
                    .title("Soak: heap after GC, tick p99, listener delay").xAxisTitle("minutes").yAxisTitle("value")
                    .build();
            List<Double> x = new ArrayList<>(), heap = new ArrayList<>(), tick = new ArrayList<>(), delay = new ArrayList<>();
            for (Sample v : s) {
                x.add(v.minutes());
                heap.add(v.heapKb() / 1024.0);
                tick.add(v.tickP99Us() / 100.0);
                delay.add(Double.isFinite(v.listenerDelayMs()) ? v.listenerDelayMs() : 0.0);
            }
            if (x.isEmpty()) {
                x.add(0.0);
                heap.add(0.0);
                tick.add(0.0);
                delay.add(0.0);
            }
            chart.addSeries("heap after GC (MB)", x, heap);
            chart.addSeries("tick p99 (x100 us)", x, tick);
            chart.addSeries("listener mix delay (ms)", x, delay);
            String base = file.toString().replaceAll("\\.png$", "");
            BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
            return Path.of(base + ".png");
        } catch (IOException e) {
            System.err.println("bench: soak plot failed: " + e.getMessage());
            return file;
        }
    }
}
