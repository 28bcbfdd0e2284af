package org.supcon.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.TrainResult;

class RunReportTest {

    private static final ImageGeometry G = new ImageGeometry(1, 3, 2);
    private static final TrainResult R = new TrainResult("supcon", "small-resnet", 1, 0.81, 0.8, 305, 0.01, 40, 30, 5,
            100, 10, 50, 0, 1000, List.of("shirt", "coat"), new int[][] {{1, 0}, {0, 1}},
            List.of(new EpochStats(1, 5.0, 0.1, 300, 0.01, 0.7, 10)), Map.of(), Map.of());

    private static RunReport.Thumb thumb(String id, String label, int base) {
        byte[] px = new byte[G.pixels()];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (base + 40 * i);
        }
        return new RunReport.Thumb(id, label, "train", G, px);
    }

    private static String write(Path dir, RunReport.Quality q) throws Exception {
        RunReport.write(dir, "bands run 1", R, new double[][] {{0, 0}, {1, 1}}, new int[] {0, 1}, null, Map.of(), q);
        return Files.readString(dir.resolve(RunReport.HTML));
    }

    @Test
    void theSuspectsAreShownAsTheirPixelsBesideTheirNeighbours(@TempDir Path dir) throws Exception {
        RunReport.Suspect s = new RunReport.Suspect(thumb("fashion-mnist/train/000042", "coat", 10), "shirt", 0.8,
                List.of(thumb("n1", "shirt", 5), thumb("n2", "shirt", 7), thumb("n3", "<coat>", 9)));
        String html = write(dir, new RunReport.Quality(List.of(s), 31, 70000, 10, 0.5,
                "4 near-duplicate groups (9 pairs at cosine >= 0.980), 2 pairs across train/test; see near-duplicates.json"));

        assertTrue(html.contains("<h2 id=\"suspected-mislabels\">Suspected mislabels</h2>"), html);
        assertTrue(html.contains("31 of 70000 samples: their 10 nearest neighbours vote against their label by a margin of"
                + " at least 0.50. The top 1"), html);
        assertTrue(html.contains("<b>fashion-mnist/train/000042</b><br>given: coat<br>suggested: <b>shirt</b><br>confidence 0.80"),
                html);
        assertTrue(html.contains("&lt;coat&gt;"), "labels are escaped");
        assertTrue(html.contains("4 near-duplicate groups (9 pairs at cosine >= 0.980), 2 pairs across train/test".replace(">", "&gt;")),
                html);
        int suspectRow = html.indexOf("<tr class=\"suspect\">");
        assertTrue(html.indexOf("alt=\"n1\"") > html.indexOf("alt=\"fashion-mnist/train/000042\""), "sample first");
        assertTrue(html.indexOf("alt=\"n1\"") < html.indexOf("alt=\"n2\"") && html.indexOf("alt=\"n2\"") < html.indexOf("alt=\"n3\""),
                "neighbours nearest first");
        assertTrue(suspectRow > 0 && suspectRow < html.indexOf("alt=\"fashion-mnist/train/000042\""));

        // the thumbnails are the samples' pixels, each a 4x4 block
        List<BufferedImage> thumbs = new ArrayList<>();
        Matcher m = Pattern.compile("class=\"thumb\"[^>]*src=\"data:image/png;base64,([^\"]+)\"").matcher(html);
        while (m.find()) {
            thumbs.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))));
        }
        assertEquals(4, thumbs.size());
        BufferedImage first = thumbs.get(0);
        assertEquals(2 * RunReport.THUMB_SCALE, first.getWidth());
        assertEquals(3 * RunReport.THUMB_SCALE, first.getHeight());
        for (int y = 0; y < first.getHeight(); y++) {
            for (int x = 0; x < first.getWidth(); x++) {
                int expected = 10 + 40 * ((y / RunReport.THUMB_SCALE) * 2 + x / RunReport.THUMB_SCALE);
                assertEquals(expected, first.getRaster().getSample(x, y, 0), "pixel " + x + "," + y);
            }
        }
        assertEquals(9 + 40 * 5, thumbs.get(3).getRaster().getSample(7, 11, 0));
    }

    @Test
    void withoutAnIndexThereIsNoSection(@TempDir Path dir) throws Exception {
        String html = write(dir, null);
        assertTrue(html.contains("<h1>bands run 1</h1>"), html);
        assertFalse(html.contains("Suspected mislabels"));
        assertFalse(html.contains("Near-duplicates"));
    }

    @Test
    void anRgbSampleKeepsItsColours() throws Exception {
        ImageGeometry rgb = new ImageGeometry(3, 1, 1);
        byte[] png = RunReport.thumbnail(new RunReport.Thumb("x", "red", "test", rgb, new byte[] {(byte) 200, 10, 30}));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(RunReport.THUMB_SCALE, img.getWidth());
        assertEquals(0xC80A1E, img.getRGB(3, 3) & 0xFFFFFF);
    }
}
