package org.supcon.trainer.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.TrainResult;

/** The PNG a person looks at after a run: loss and validation accuracy per epoch, side by side. */
public final class TrainingPlots {

    private TrainingPlots() {}

    public static void write(TrainResult r, Path png) throws IOException {
        List<Double> epochs = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> accEpochs = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        for (EpochStats s : r.history()) {
            epochs.add((double) s.epoch());
            loss.add(s.loss());
            if (!Double.isNaN(s.validationAccuracy())) {
                accEpochs.add((double) s.epoch());
                acc.add(s.validationAccuracy());
            }
        }
        String title = r.method() + " / " + r.encoder();
        XYChart lossChart = new XYChartBuilder().width(640).height(420)
                .title("Training loss (" + title + ")").xAxisTitle("epoch").yAxisTitle("loss").build();
        lossChart.getStyler().setLegendVisible(false);
        lossChart.getStyler().setYAxisDecimalPattern("0.###");
        lossChart.addSeries("loss", epochs, loss).setMarker(SeriesMarkers.CIRCLE);

        XYChart accChart = new XYChartBuilder().width(640).height(420)
                .title(String.format(java.util.Locale.ROOT, "Validation accuracy (final test %.2f%%)", 100 * r.testAccuracy()))
                .xAxisTitle("epoch").yAxisTitle("accuracy").build();
        accChart.getStyler().setLegendVisible(true);
        accChart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        accChart.getStyler().setYAxisDecimalPattern("0.000");
        String accName = r.method().equals("ce") ? "classifier, validation" : "kNN (k=20), validation";
        if (!acc.isEmpty()) {
            XYSeries series = accChart.addSeries(accName, accEpochs, acc);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        double last = epochs.isEmpty() ? 1 : epochs.get(epochs.size() - 1);
        accChart.addSeries("final test accuracy", List.of(last), List.of(r.testAccuracy())).setMarker(SeriesMarkers.DIAMOND);
        BitmapEncoder.saveBitmap(List.of(lossChart, accChart), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
