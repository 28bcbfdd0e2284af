package org.supcon.trainer.images;

import java.util.Objects;

/**
 * Bilinear resampling of a rectangle of a uint8 CHW image onto an {@code outHeight x outWidth}
 * grid of floats (0..255), with half-pixel centres ({@code align_corners=False}, as torchvision
 * and PIL resize). Coordinates falling outside the rectangle are clamped to its edge, so a crop
 * never reads pixels around it, and a rectangle equal to the output size is copied exactly.
 *
 * <p>No antialiasing: fine for enlarging (every RandomResizedCrop) and mild shrinking; large
 * reductions alias.
 *
 * <p>Not thread-safe: an instance keeps its per-axis tables between calls so that resampling
 * allocates nothing once the tables have grown; use one per thread.
 */
public final class Bilinear {

    private int[] x0 = new int[0];
    private int[] x1 = new int[0];
    private float[] wx = new float[0];
    private int[] y0 = new int[0];
    private int[] y1 = new int[0];
    private float[] wy = new float[0];
    private int outHeight;
    private int outWidth;

    /**
     * Sets the source rectangle and the output size for following {@link #resample} calls.
     *
     * @param top first source row of the rectangle
     * @param left first source column of the rectangle
     * @param height rows of the rectangle, positive
     * @param width columns of the rectangle, positive
     */
    public Bilinear prepare(int top, int left, int height, int width, int outHeight, int outWidth) {
        if (top < 0 || left < 0 || height <= 0 || width <= 0 || outHeight <= 0 || outWidth <= 0) {
            throw new IllegalArgumentException("invalid resample: rectangle (top " + top + ", left " + left
                    + ", " + height + "x" + width + ") to " + outHeight + "x" + outWidth);
        }
        if (x0.length < outWidth) {
            x0 = new int[outWidth];
            x1 = new int[outWidth];
            wx = new float[outWidth];
        }
        if (y0.length < outHeight) {
            y0 = new int[outHeight];
            y1 = new int[outHeight];
            wy = new float[outHeight];
        }
        axis(left, width, outWidth, x0, x1, wx);
        axis(top, height, outHeight, y0, y1, wy);
        this.outHeight = outHeight;
        this.outWidth = outWidth;
        return this;
    }

    private static void axis(int start, int length, int outLength, int[] i0, int[] i1, float[] w) {
        double scale = (double) length / outLength;
        for (int o = 0; o < outLength; o++) {
            double s = (o + 0.5) * scale - 0.5;
            if (s < 0) {
                s = 0;
            } else if (s > length - 1) {
                s = length - 1;
            }
            int lo = (int) s;
            int hi = Math.min(lo + 1, length - 1);
            i0[o] = start + lo;
            i1[o] = start + hi;
            w[o] = (float) (s - lo);
        }
    }

    /**
     * Resamples every channel of one image.
     *
     * @param src uint8 images, CHW
     * @param srcOffset where the image starts in {@code src}
     * @param srcGeometry the full source image; the prepared rectangle must lie inside it
     * @param dst receives {@code channels * outHeight * outWidth} floats, CHW
     */
    public void resample(byte[] src, int srcOffset, ImageGeometry srcGeometry, float[] dst, int dstOffset) {
        Objects.requireNonNull(srcGeometry, "srcGeometry");
        if (outWidth == 0) {
            throw new IllegalStateException("call prepare(...) before resample(...)");
        }
        int srcW = srcGeometry.width();
        int srcPlane = srcGeometry.planeSize();
        int outPlane = outHeight * outWidth;
        if (y1[outHeight - 1] >= srcGeometry.height() || x1[outWidth - 1] >= srcW) {
            throw new IllegalArgumentException("prepared rectangle reaches row " + y1[outHeight - 1]
                    + ", column " + x1[outWidth - 1] + ", outside the " + srcGeometry + " source image");
        }
        for (int c = 0; c < srcGeometry.channels(); c++) {
            int plane = srcOffset + c * srcPlane;
            int out = dstOffset + c * outPlane;
            for (int y = 0; y < outHeight; y++) {
                int r0 = plane + y0[y] * srcW;
                int r1 = plane + y1[y] * srcW;
                float fy = wy[y];
                for (int x = 0; x < outWidth; x++) {
                    int a0 = x0[x];
                    int a1 = x1[x];
                    float fx = wx[x];
                    float a = src[r0 + a0] & 0xFF;
                    float b = src[r0 + a1] & 0xFF;
                    float cc = src[r1 + a0] & 0xFF;
                    float d = src[r1 + a1] & 0xFF;
                    float top = a + (b - a) * fx;
                    float bottom = cc + (d - cc) * fx;
                    dst[out++] = top + (bottom - top) * fy;
                }
            }
        }
    }
}
