package org.supcon.trainer.dataset;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import org.supcon.trainer.images.Bilinear;
import org.supcon.trainer.images.GraySamples;
import org.supcon.trainer.images.ImageGeometry;

/** Conversions of uint8 CHW images between geometries; pure, allocation per call. */
final class Pixels {

    private Pixels() {
    }

    /**
     * A decoded image as CHW planes: one gray plane when the colour model is gray (raw samples, so
     * linear gray is not gamma-converted), else three planes R, G, B. Alpha is dropped.
     */
    static byte[] planes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel cm = image.getColorModel();
        if (GraySamples.isGray(cm)) {
            return GraySamples.plane(image);
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int plane = h * w;
        byte[] planes = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            planes[i] = (byte) (p >> 16);
            planes[plane + i] = (byte) (p >> 8);
            planes[2 * plane + i] = (byte) p;
        }
        return planes;
    }

    /** Channels {@link #planes} yields for this colour model: 1 or 3. */
    static int channels(ColorModel cm) {
        return GraySamples.isGray(cm) ? 1 : 3;
    }


    /**
     * {@code chw} of geometry {@code from} in the {@code target} geometry: RGB to gray by BT.601 luma
     * (PIL's "L"), gray to RGB by replication, other sizes by {@link #resize}. Returns {@code chw}
     * itself when the geometries are equal.
     */
    static byte[] convert(byte[] chw, ImageGeometry from, ImageGeometry target) {
        byte[] out = chw;
        ImageGeometry g = from;
        if (g.channels() == 3 && target.channels() == 1) {
            out = luma(out, g.planeSize());
            g = new ImageGeometry(1, g.height(), g.width());
        }
        if (g.height() != target.height() || g.width() != target.width()) {
            out = resize(out, g, target.height(), target.width());
            g = new ImageGeometry(g.channels(), target.height(), target.width());
        }
        if (g.channels() == 1 && target.channels() == 3) {
            int plane = g.planeSize();
            byte[] rgb = new byte[3 * plane];
            for (int c = 0; c < 3; c++) {
                System.arraycopy(out, 0, rgb, c * plane, plane);
            }
            out = rgb;
        }
        return out;
    }

    private static byte[] luma(byte[] rgb, int plane) {
        byte[] gray = new byte[plane];
        for (int i = 0; i < plane; i++) {
            int r = rgb[i] & 0xFF;
            int g = rgb[plane + i] & 0xFF;
            int b = rgb[2 * plane + i] & 0xFF;
            // Integer weights summing to 1000 keep r == g == b exactly that value.
            gray[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
        }
        return gray;
    }

    /**
     * Resizes every channel to {@code outHeight x outWidth}. Shrinking by a factor of two or more
     * first averages blocks (area reduction), because {@link Bilinear} has no antialiasing and a
     * 1024-pixel photo sampled straight down to 28 would alias; the remaining factor below two is
     * bilinear. An exact integer reduction is therefore a plain block average.
     */
    static byte[] resize(byte[] chw, ImageGeometry from, int outHeight, int outWidth) {
        byte[] src = chw;
        ImageGeometry g = from;
        int ky = Math.max(1, g.height() / outHeight);
        int kx = Math.max(1, g.width() / outWidth);
        if (ky > 1 || kx > 1) {
            ImageGeometry reduced = new ImageGeometry(g.channels(), g.height() / ky, g.width() / kx);
            src = areaReduce(src, g, reduced);
            g = reduced;
        }
        if (g.height() == outHeight && g.width() == outWidth) {
            return src;
        }
        float[] resampled = new float[g.channels() * outHeight * outWidth];
        new Bilinear().prepare(0, 0, g.height(), g.width(), outHeight, outWidth).resample(src, 0, g, resampled, 0);
        byte[] out = new byte[resampled.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(resampled[i])));
        }
        return out;
    }

    /** Each output pixel is the mean of its block; blocks tile the whole source, a row or column wider where it does not divide. */
    private static byte[] areaReduce(byte[] src, ImageGeometry from, ImageGeometry to) {
        int inH = from.height();
        int inW = from.width();
        int outH = to.height();
        int outW = to.width();
        byte[] out = new byte[to.pixels()];
        for (int c = 0; c < from.channels(); c++) {
            int inPlane = c * from.planeSize();
            int outPlane = c * to.planeSize();
            for (int oy = 0; oy < outH; oy++) {
                int y0 = (int) ((long) oy * inH / outH);
                int y1 = (int) ((long) (oy + 1) * inH / outH);
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = (int) ((long) ox * inW / outW);
                    int x1 = (int) ((long) (ox + 1) * inW / outW);
                    long sum = 0;
                    for (int y = y0; y < y1; y++) {
                        int row = inPlane + y * inW;
                        for (int x = x0; x < x1; x++) {
                            sum += src[row + x] & 0xFF;
                        }
                    }
                    long n = (long) (y1 - y0) * (x1 - x0);
                    out[outPlane + oy * outW + ox] = (byte) ((sum + n / 2) / n);
                }
            }
        }
        return out;
    }
}
