package org.supcon.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.TrainResult;

class TrainingPlotsTest {

    @Test
    void writesAPngWithBothCharts(@TempDir Path dir) throws Exception {
        List<EpochStats> h = List.of(new EpochStats(1, 5.0, 0.1, 300, 0.01, 0.7, 10),
                new EpochStats(2, 4.0, 0.05, 310, 0.01, Double.NaN, 10), new EpochStats(3, 3.5, 0.001, 305, 0.01, 0.8, 10));
        TrainResult r = new TrainResult("supcon", "small-resnet", 3, 0.81, 0.8, 305, 0.01, 40, 30, 5, 100, 10, 50, 0,
                1000, List.of("a", "b"), new int[][] {{1, 0}, {0, 1}}, h, Map.of(), Map.of());
        Path png = dir.resolve("training.png");
        TrainingPlots.write(r, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(420, img.getHeight());
        // something was drawn: more than a handful of distinct colours
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "only " + colours.size() + " colours");
    }
}
