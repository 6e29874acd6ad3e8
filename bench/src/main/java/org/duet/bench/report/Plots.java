package org.duet.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.duet.bench.workload.Comparison;
import org.duet.bench.workload.RunResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The PNG plots of docs/benchmarks.md, drawn with XChart. */
public final class Plots {

    private Plots() {
    }

    /** Empirical CDF of click latency per server and network profile. */
    public static Path latencyCdf(List<Comparison.ServerResults> servers, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480).title("Added latency, click in to listener mix out")
                .xAxisTitle("latency (ms)").yAxisTitle("fraction of clicks").build();
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        for (Comparison.ServerResults s : servers) {
            for (Map.Entry<String, RunResult> e : s.quality.entrySet()) {
                double[] x = e.getValue().latenciesMs().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                if (x.length == 0) {
                    continue;
                }
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = (i + 1) / (double) x.length;
                }
                XYSeries series = chart.addSeries(s.server + " (" + e.getKey() + ", D=" + e.getValue().duets() + ")", x, y);
                series.setMarker(SeriesMarkers.NONE);
            }
        }
        return save(chart, file);
    }

    /** Server CPU (cores) against the number of duets, per server, from the capacity ramp. */
    public static Path cpuVsDuets(List<Comparison.ServerResults> servers, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(480).title("Server CPU vs duets (pinned to one core)")
                .xAxisTitle("duets (D)").yAxisTitle("CPU (cores)").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        for (Comparison.ServerResults s : servers) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (RunResult r : s.ramp) {
                if (Double.isFinite(r.cpuCores())) {
                    x.add((double) r.duets());
                    y.add(r.cpuCores());
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(s.server, x, y);
            }
        }
        return save(chart, file);
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (chart.getSeriesMap().isEmpty()) {
            // XChart refuses an empty chart; draw a flat placeholder so the page still renders
            chart.addSeries("no data", Arrays.asList(0.0), Arrays.asList(0.0));
        }
        String name = file.toString();
        String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }
}
