package org.supcon.trainer.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.supcon.trainer.pipeline.Gate;

import org.supcon.trainer.train.TrainResult;

/**
 * A training run's report: {@code report.html} with its images embedded (base64), and the same
 * images as PNG files beside it: loss and accuracy per epoch ({@link TrainingPlots}), the
 * confusion matrix as a heat map, and a 2-D PCA projection of test embeddings coloured by label.
 */
public final class RunReport {

    public static final String HTML = "report.html";
    public static final String CURVES = "training.png";
    public static final String CONFUSION = "confusion.png";
    public static final String EMBEDDINGS = "embeddings.png";

    private RunReport() {}

    /**
     * Writes the report into {@code dir}; returns file name to path of every file written.
     *
     * @param projected {@code [n][2]} coordinates of test embeddings
     * @param labels class id of each projected point
     */
    public static Map<String, Path> write(Path dir, String title, TrainResult r, double[][] projected, int[] labels,
            Gate.Decision gate, Map<String, Object> dataset) throws IOException {
        Files.createDirectories(dir);
        Map<String, Path> files = new LinkedHashMap<>();
        TrainingPlots.write(r, dir.resolve(CURVES));
        files.put(CURVES, dir.resolve(CURVES));
        BitmapEncoder.saveBitmap(confusion(r), dir.resolve(CONFUSION).toString(), BitmapEncoder.BitmapFormat.PNG);
        files.put(CONFUSION, dir.resolve(CONFUSION));
        BitmapEncoder.saveBitmap(embeddings(projected, labels, r.labels()), dir.resolve(EMBEDDINGS).toString(),
                BitmapEncoder.BitmapFormat.PNG);
        files.put(EMBEDDINGS, dir.resolve(EMBEDDINGS));
        Path html = dir.resolve(HTML);
        Files.writeString(html, html(title, r, gate, dataset, files), StandardCharsets.UTF_8);
        Map<String, Path> all = new LinkedHashMap<>();
        all.put(HTML, html);
        all.putAll(files);
        return all;
    }

    static HeatMapChart confusion(TrainResult r) {
        int k = r.labels().size();
        int[][] m = r.confusionMatrix();
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                // x = predicted, y = true (from the top: reversed so that row 0 is drawn first)
                cells.add(new Number[] {p, k - 1 - t, m[t][p]});
            }
        }
        List<String> reversed = new ArrayList<>(r.labels());
        java.util.Collections.reverse(reversed);
        HeatMapChart chart = new HeatMapChartBuilder().width(220 + 85 * k).height(140 + 45 * k)
                .title(String.format(Locale.ROOT, "Confusion matrix (test accuracy %.2f%%)", 100 * r.testAccuracy()))
                .xAxisTitle("predicted").yAxisTitle("true").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(0x42, 0x92, 0xc6)});
        chart.getStyler().setHeatMapValueDecimalPattern("0");
        chart.addSeries("test", r.labels(), reversed, cells);
        return chart;
    }

    static XYChart embeddings(double[][] xy, int[] labels, List<String> names) {
        XYChart chart = new XYChartBuilder().width(720).height(560)
                .title("Test embeddings, PCA to 2-D (" + xy.length + " images)").xAxisTitle("PC 1").yAxisTitle("PC 2").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        for (int c = 0; c < names.size(); c++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < xy.length; i++) {
                if (labels[i] == c) {
                    x.add(xy[i][0]);
                    y.add(xy[i].length > 1 ? xy[i][1] : 0.0);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(names.get(c), x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return chart;
    }

    private static String html(String title, TrainResult r, Gate.Decision gate, Map<String, Object> dataset,
            Map<String, Path> images) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
                        + "img{max-width:100%;display:block;margin:1em 0}</style></head><body>\n");
        sb.append("<h1>").append(esc(title)).append("</h1>\n<table>\n");
        row(sb, "method / encoder", r.method() + " / " + r.encoder());
        row(sb, "epochs", r.epochs() + (r.resumedFromEpoch() > 0 ? " (resumed after epoch " + r.resumedFromEpoch() + ")" : ""));
        row(sb, "test accuracy", String.format(Locale.ROOT, "%.4f (%d held-out images)", r.testAccuracy(), r.testImages()));
        if (!Double.isNaN(r.validationAccuracy())) {
            row(sb, "validation accuracy", String.format(Locale.ROOT, "%.4f", r.validationAccuracy()));
        }
        row(sb, "training", String.format(Locale.ROOT, "%.0f images/s, %.1f s first stage, %.1f s linear stage + evaluation",
                r.imagesPerSecond(), r.trainSeconds(), r.linearSeconds()));
        if (gate != null) {
            row(sb, "gate", (gate.publish() ? "publish: " : "not published: ") + gate.reason());
        }
        if (dataset != null) {
            dataset.forEach((k, v) -> row(sb, "dataset " + k, String.valueOf(v)));
        }
        row(sb, "settings", String.valueOf(r.settings()));
        sb.append("</table>\n");
        for (Map.Entry<String, Path> e : images.entrySet()) {
            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(e.getValue()));
            sb.append("<img alt=\"").append(esc(e.getKey())).append("\" src=\"data:image/png;base64,").append(b64).append("\">\n");
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

}
