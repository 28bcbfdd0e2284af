package org.supcon.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The label-noise sweep of dev/bench-robustness as one picture: clean test accuracy against the
 * share of flipped training labels, one line per method, read from the runs' summary.json
 * (method, settings.labelNoise, testAccuracy). Prints the same figures as a Markdown table.
 *
 * <p>Usage: {@code robustness-plot OUT.png TITLE summary.json...}
 */
public final class RobustnessPlot {

    private RobustnessPlot() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: robustness-plot OUT.png TITLE summary.json...");
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, TreeMap<Double, Double>> byMethod = new TreeMap<>();
        for (int i = 2; i < args.length; i++) {
            JsonNode s = json.readTree(Files.readAllBytes(Path.of(args[i])));
            String method = s.path("method").asText();
            double noise = s.at("/settings/labelNoise").asDouble(Double.NaN);
            double accuracy = s.path("testAccuracy").asDouble(Double.NaN);
            if (method.isEmpty() || Double.isNaN(noise) || Double.isNaN(accuracy)) {
                throw new IllegalArgumentException(args[i] + " has no method, settings.labelNoise or testAccuracy");
            }
            byMethod.computeIfAbsent(method, m -> new TreeMap<>()).put(noise, accuracy);
        }
        XYChart chart = new XYChartBuilder().width(640).height(420).title(args[1])
                .xAxisTitle("training labels flipped (%)").yAxisTitle("clean test accuracy (%)").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        chart.getStyler().setDecimalPattern("0.#");
        System.out.println("| method | " + String.join(" | ", byMethod.values().iterator().next().keySet().stream()
                .map(n -> String.format(Locale.ROOT, "%.0f %% noise", 100 * n)).toList()) + " |");
        for (Map.Entry<String, TreeMap<Double, Double>> e : byMethod.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            StringBuilder row = new StringBuilder("| " + e.getKey() + " |");
            e.getValue().forEach((n, a) -> {
                x.add(100 * n);
                y.add(100 * a);
                row.append(String.format(Locale.ROOT, " %.2f %% |", 100 * a));
            });
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
            System.out.println(row);
        }
        BitmapEncoder.saveBitmap(chart, args[0], BitmapEncoder.BitmapFormat.PNG);
        System.out.println("wrote " + args[0]);
    }
}
