package org.supcon.trainer.robustness;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

/**
 * {@code corruptions.png}: one image, clean and under every corruption at every severity, one row
 * per corruption, so that a person sees what the severities do (and that each one looks right).
 */
public final class CorruptionGrid {

    /** The file name in an output directory. */
    public static final String FILE = "corruptions.png";
    /** Each image pixel is drawn as a block of this many pixels. */
    static final int SCALE = 3;
    static final int LABEL_WIDTH = 110;
    static final int HEADER = 20;
    static final int GAP = 4;

    private CorruptionGrid() {}

    /** Width and height of the grid for these rows and columns, in pixels. */
    public static int[] size(ImageGeometry g, int corruptions, int severities) {
        int cellW = g.width() * SCALE + GAP;
        int cellH = g.height() * SCALE + GAP;
        return new int[] {LABEL_WIDTH + (severities + 1) * cellW, HEADER + corruptions * cellH};
    }

    /**
     * Writes the grid of image {@code index} of {@code set} as a PNG.
     *
     * @param seed the seed of the evaluation, so the grid shows the very images it used
     */
    public static void write(Path png, ImageSet set, int index, List<Corruption> corruptions, List<Integer> severities,
            long seed) throws IOException {
        ImageGeometry g = set.geometry();
        int[] size = size(g, corruptions.size(), severities.size());
        BufferedImage grid = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = grid.createGraphics();
        try {
            gr.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            gr.setColor(Color.WHITE);
            gr.fillRect(0, 0, size[0], size[1]);
            gr.setColor(Color.BLACK);
            gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int cellW = g.width() * SCALE + GAP;
            int cellH = g.height() * SCALE + GAP;
            gr.drawString("clean", LABEL_WIDTH, HEADER - 6);
            for (int s = 0; s < severities.size(); s++) {
                gr.drawString("severity " + severities.get(s), LABEL_WIDTH + (s + 1) * cellW, HEADER - 6);
            }
            byte[] clean = new byte[g.pixels()];
            System.arraycopy(set.pixels(), set.offset(index), clean, 0, clean.length);
            for (int r = 0; r < corruptions.size(); r++) {
                Corruption c = corruptions.get(r);
                int top = HEADER + r * cellH;
                gr.drawString(c.cliName(), 4, top + cellH / 2 + 4);
                draw(grid, clean, g, LABEL_WIDTH, top);
                for (int s = 0; s < severities.size(); s++) {
                    byte[] img = c.apply(set.pixels(), set.offset(index), g, severities.get(s), seed, index);
                    draw(grid, img, g, LABEL_WIDTH + (s + 1) * cellW, top);
                }
            }
        } finally {
            gr.dispose();
        }
        ImageIO.write(grid, "png", png.toFile());
    }

    private static void draw(BufferedImage grid, byte[] img, ImageGeometry g, int left, int top) {
        int plane = g.planeSize();
        for (int y = 0; y < g.height() * SCALE; y++) {
            for (int x = 0; x < g.width() * SCALE; x++) {
                int at = (y / SCALE) * g.width() + x / SCALE;
                int r = img[at] & 0xFF;
                int rgb = g.channels() == 1 ? (r << 16) | (r << 8) | r
                        : (r << 16) | ((img[plane + at] & 0xFF) << 8) | (img[2 * plane + at] & 0xFF);
                grid.setRGB(left + x, top + y, rgb);
            }
        }
    }
}
