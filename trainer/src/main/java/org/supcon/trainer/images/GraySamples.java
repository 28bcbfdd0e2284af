package org.supcon.trainer.images;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Reading gray images as stored: one home for the image-folder reader and the record validator. */
public final class GraySamples {

    private GraySamples() {}

    /** True when the image's colour model is a (non-indexed) gray one. */
    public static boolean isGray(ColorModel cm) {
        return !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    }

    /**
     * The gray plane, {@code [h * w]} 8-bit, from the raw samples (getRGB() would gamma-convert
     * linear gray to sRGB and change values); 16-bit gray is rounded to 8 bits.
     *
     * @throws IllegalArgumentException if the image is not gray
     */
    public static byte[] plane(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (!isGray(cm)) {
            throw new IllegalArgumentException("not a gray image: " + cm);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        int bits = cm.getComponentSize(0);
        long max = (1L << bits) - 1;
        byte[] gray = new byte[h * w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int v = bits == 8 ? row[x] : (int) ((row[x] * 255L + max / 2) / max);
                gray[y * w + x] = (byte) v;
            }
        }
        return gray;
    }
}
