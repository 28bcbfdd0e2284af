package org.supcon.trainer.robustness;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * {@code robustness.png}: accuracy (%) per corruption (rows) and severity (columns) as a heat map
 * and, with a baseline, a second panel beside it with the model's accuracy minus the baseline's
 * (percentage points; blue where the model is better, red where the baseline is).
 */
public final class RobustnessPlots {

    static final int WIDTH = 640;
    static final int ROW_HEIGHT = 34;
    static final int MARGIN = 150;

    private RobustnessPlots() {}

    /** The image size written for {@code corruptions} rows: width, height. */
    public static int[] size(int corruptions, boolean withBaseline) {
        return new int[] {withBaseline ? 2 * WIDTH : WIDTH, MARGIN + ROW_HEIGHT * corruptions};
    }

    public static void write(RobustnessReport r, Path png) throws IOException {
        int[] size = size(r.corruptions().size(), r.baseline() != null);
        HeatMapChart accuracy = chart(r, String.format(Locale.ROOT, "Accuracy %% of %s (clean %.1f%%, mean corrupted %.1f%%)",
                name(r.model()), 100 * r.cleanAccuracy(), 100 * r.meanCorruptedAccuracy()), size[1], false);
        accuracy.getStyler().setMin(0).setMax(100);
        accuracy.getStyler().setRangeColors(new Color[] {new Color(0xd7, 0x30, 0x27), new Color(0xfe, 0xe0, 0x8b),
            new Color(0x1a, 0x98, 0x50)});
        if (r.baseline() == null) {
            BitmapEncoder.saveBitmap(accuracy, png.toString(), BitmapEncoder.BitmapFormat.PNG);
            return;
        }
        HeatMapChart diff = chart(r, String.format(Locale.ROOT, "%s minus %s, points (mCE %s)", name(r.model()),
                name(r.baseline()), r.mCE() == null ? "undefined" : String.format(Locale.ROOT, "%.3f", r.mCE())),
                size[1], true);
        double span = 1;
        for (RobustnessReport.CorruptionResult c : r.corruptions()) {
            for (int s = 0; s < c.accuracy().size(); s++) {
                span = Math.max(span, Math.abs(100 * (c.accuracy().get(s) - c.baselineAccuracy().get(s))));
            }
        }
        span = Math.ceil(span);
        diff.getStyler().setMin(-span).setMax(span);
        diff.getStyler().setRangeColors(new Color[] {new Color(0xd7, 0x30, 0x27), Color.WHITE, new Color(0x45, 0x75, 0xb4)});
        BitmapEncoder.saveBitmap(List.of(accuracy, diff), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String name(RobustnessReport.ModelRef m) {
        if (m.version() == null) {
            return m.name();
        }
        return m.version().matches("[0-9]+") ? m.name() + " v" + m.version() : m.name() + " (" + m.version() + ")";
    }

    private static HeatMapChart chart(RobustnessReport r, String title, int height, boolean difference) {
        List<String> rows = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        int n = r.corruptions().size();
        for (int c = 0; c < n; c++) {
            RobustnessReport.CorruptionResult result = r.corruptions().get(c);
            rows.add(result.corruption());
            for (int s = 0; s < result.accuracy().size(); s++) {
                double value = 100 * result.accuracy().get(s);
                if (difference) {
                    value -= 100 * result.baselineAccuracy().get(s);
                }
                // drawn from the bottom: the first corruption on top
                cells.add(new Number[] {s, n - 1 - c, value});
            }
        }
        Collections.reverse(rows);
        List<String> columns = r.severities().stream().map(String::valueOf).toList();
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(height).title(title).xAxisTitle("severity")
                .build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setHeatMapValueDecimalPattern(difference ? "+0.0;-0.0" : "0.0");
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
        chart.addSeries(difference ? "difference" : "accuracy", columns, rows, cells);
        return chart;
    }
}
