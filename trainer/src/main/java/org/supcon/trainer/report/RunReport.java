package org.supcon.trainer.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
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
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.pipeline.Gate;
import org.supcon.trainer.robustness.RobustnessReport;
import org.supcon.trainer.train.TrainResult;

/**
 * A training run's report: {@code report.html} with its images embedded (base64), and the same
 * images as PNG files beside it: loss and accuracy per epoch ({@link TrainingPlots}), the
 * confusion matrix as a heat map, a 2-D PCA projection of test embeddings coloured by label and,
 * when the run built a vector index, its suspected mislabels as thumbnails beside their
 * neighbours, because people judge these by looking; when the run evaluated it, the model's accuracy
 * under image corruptions with its heat map and example grid.
 */
public final class RunReport {

    public static final String HTML = "report.html";
    public static final String CURVES = "training.png";
    public static final String CONFUSION = "confusion.png";
    public static final String EMBEDDINGS = "embeddings.png";

    /** Thumbnails are drawn this many times their size, so that a 28x28 image can be judged. */
    static final int THUMB_SCALE = 4;

    private RunReport() {}

    /** One sample drawn in the report: its id, label, split and pixels (uint8, CHW, one image of {@code geometry}). */
    public record Thumb(String id, String label, String split, ImageGeometry geometry, byte[] pixels) {}

    /** A suspected mislabel beside its nearest neighbours, nearest first. */
    public record Suspect(Thumb sample, String suggestedLabel, double confidence, List<Thumb> neighbours) {}

    /**
     * The data-quality section: the top suspects as thumbnails and one line on near-duplicates.
     *
     * @param suspects the top suspects, most confident first
     * @param suspectCount suspects in all ({@code label-issues.json})
     * @param samples samples examined
     * @param neighbours neighbours that voted on each sample
     * @param margin the vote-share gap that makes a suspect
     * @param duplicates one line on the near-duplicates
     */
    public record Quality(List<Suspect> suspects, int suspectCount, int samples, int neighbours, double margin,
            String duplicates) {}

    /**
     * The robustness section: the model's accuracy under image corruptions and its two pictures.
     *
     * @param report the evaluation ({@code robustness.json})
     * @param heatMap {@code robustness.png}
     * @param examples {@code corruptions.png}, one image under every corruption and severity
     */
    public record Robustness(RobustnessReport report, Path heatMap, Path examples) {}

    /** The report without a robustness section. */
    public static Map<String, Path> write(Path dir, String title, TrainResult r, double[][] projected, int[] labels,
            Gate.Decision gate, Map<String, Object> dataset, Quality quality) throws IOException {
        return write(dir, title, r, projected, labels, gate, dataset, quality, null);
    }

    /**
     * Writes the report into {@code dir}; returns file name to path of every file written.
     *
     * @param projected {@code [n][2]} coordinates of test embeddings
     * @param labels class id of each projected point
     * @param quality the suspected mislabels and near-duplicates; null when the run built no index
     * @param robustness the corruption evaluation; null when the run made none
     */
    public static Map<String, Path> write(Path dir, String title, TrainResult r, double[][] projected, int[] labels,
            Gate.Decision gate, Map<String, Object> dataset, Quality quality, Robustness robustness) throws IOException {
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
        Files.writeString(html, html(title, r, gate, dataset, files, quality, robustness), StandardCharsets.UTF_8);
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
            Map<String, Path> images, Quality quality, Robustness robustness) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
                        + "img{max-width:100%;display:block;margin:1em 0}"
                        + "figure{display:inline-block;margin:0 4px;text-align:center;font-size:11px;vertical-align:top}"
                        + "figure img.thumb{margin:0 auto;image-rendering:pixelated}"
                        + "tr.suspect td{border-top:1px solid #ccc;padding:6px}</style></head><body>\n");
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
        if (quality != null) {
            quality(sb, quality);
        }
        if (robustness != null) {
            robustness(sb, robustness);
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** The suspects, each beside its neighbours, as inline PNG thumbnails; then the near-duplicates line. */
    private static void quality(StringBuilder sb, Quality q) throws IOException {
        sb.append("<h2 id=\"suspected-mislabels\">Suspected mislabels</h2>\n<p>")
                .append(String.format(Locale.ROOT, "%d of %d samples: their %d nearest neighbours vote against their label"
                        + " by a margin of at least %.2f. The top %d, most confident first; each beside its neighbours,"
                        + " nearest first. Relabel a sample by sending a LabeledImage with its id and the right label.",
                        q.suspectCount(), q.samples(), q.neighbours(), q.margin(), q.suspects().size()))
                .append("</p>\n<table>\n");
        for (Suspect s : q.suspects()) {
            sb.append("<tr class=\"suspect\"><td>");
            figure(sb, s.sample(), String.format(Locale.ROOT, "<b>%s</b><br>given: %s<br>suggested: <b>%s</b><br>confidence %.2f",
                    esc(s.sample().id()), esc(s.sample().label()), esc(s.suggestedLabel()), s.confidence()));
            sb.append("</td><td>");
            for (Thumb n : s.neighbours()) {
                figure(sb, n, esc(n.label()));
            }
            sb.append("</td></tr>\n");
        }
        sb.append("</table>\n<h2 id=\"near-duplicates\">Near-duplicates</h2>\n<p>").append(esc(q.duplicates()))
                .append("</p>\n");
    }

    /** Clean and mean corrupted accuracy, the mean per corruption, the heat map and the example grid. */
    private static void robustness(StringBuilder sb, Robustness section) throws IOException {
        RobustnessReport r = section.report();
        sb.append("<h2 id=\"robustness\">Robustness to image corruptions</h2>\n<p>")
                .append(esc(String.format(Locale.ROOT, "The exported model in ONNX Runtime on %d test images: clean accuracy"
                        + " %.2f%%, mean corrupted accuracy %.2f%% over %d corruptions at severities %s (ImageNet-C"
                        + " families; every figure in robustness.json, seed %d, %.0f s).", r.testImages(),
                        100 * r.cleanAccuracy(), 100 * r.meanCorruptedAccuracy(), r.corruptions().size(), r.severities(),
                        r.seed(), r.seconds())))
                .append("</p>\n<table>\n<tr><th>corruption</th><th>mean accuracy over the severities</th></tr>\n");
        for (RobustnessReport.CorruptionResult c : r.corruptions()) {
            row(sb, c.corruption(), String.format(Locale.ROOT, "%.2f%%", 100 * c.meanAccuracy()));
        }
        sb.append("</table>\n");
        for (Path png : new Path[] {section.heatMap(), section.examples()}) {
            sb.append("<img alt=\"").append(esc(png.getFileName().toString())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png))).append("\">\n");
        }
    }

    private static void figure(StringBuilder sb, Thumb t, String captionHtml) throws IOException {
        sb.append("<figure><img class=\"thumb\" alt=\"").append(esc(t.id())).append("\" title=\"")
                .append(esc(t.id() + " (" + t.split() + ")")).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(thumbnail(t))).append("\"><figcaption>").append(captionHtml)
                .append("</figcaption></figure>");
    }

    /** The sample's pixels as a PNG, {@value #THUMB_SCALE} times larger (each pixel a block: nothing smoothed). */
    static byte[] thumbnail(Thumb t) throws IOException {
        ImageGeometry g = t.geometry();
        int h = g.height();
        int w = g.width();
        boolean gray = g.channels() == 1;
        BufferedImage img = new BufferedImage(w * THUMB_SCALE, h * THUMB_SCALE,
                gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * THUMB_SCALE; y++) {
            for (int x = 0; x < w * THUMB_SCALE; x++) {
                int at = (y / THUMB_SCALE) * w + x / THUMB_SCALE;
                int v = t.pixels()[at] & 0xFF;
                if (gray) {
                    img.getRaster().setSample(x, y, 0, v);
                } else {
                    int gr = t.pixels()[h * w + at] & 0xFF;
                    int b = t.pixels()[2 * h * w + at] & 0xFF;
                    img.setRGB(x, y, (v << 16) | (gr << 8) | b);
                }
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        return png.toByteArray();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

}
