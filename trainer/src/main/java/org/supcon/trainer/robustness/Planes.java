package org.supcon.trainer.robustness;

/**
 * The image operations the corruptions are made of, on one channel plane of floats in 0..1
 * ({@code h * w} values, row-major). Filters read outside the plane as its nearest edge pixel
 * (the default of the blurs in Hendrycks and Dietterich's code); resampling reads outside the
 * plane as a given fill value.
 */
final class Planes {

    private Planes() {}

    /** Separable Gaussian blur with standard deviation {@code sigma} pixels, kernel cut at 4 sigma. */
    static float[] gaussianBlur(float[] p, int h, int w, double sigma) {
        if (sigma <= 0) {
            return p.clone();
        }
        int r = Math.max(1, (int) Math.ceil(4 * sigma));
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] rows = new float[p.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * p[y * w + clamp(x + i, w)];
                }
                rows[y * w + x] = (float) acc;
            }
        }
        float[] out = new float[p.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = -r; i <= r; i++) {
                    acc += k[i + r] * rows[clamp(y + i, h) * w + x];
                }
                out[y * w + x] = (float) acc;
            }
        }
        return out;
    }

    /** Convolution with a square kernel of odd side {@code k.length}, centred, edges clamped. */
    static float[] convolve(float[] p, int h, int w, double[][] k) {
        int r = k.length / 2;
        float[] out = new float[p.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int dy = -r; dy <= r; dy++) {
                    for (int dx = -r; dx <= r; dx++) {
                        double kv = k[dy + r][dx + r];
                        if (kv != 0) {
                            acc += kv * p[clamp(y + dy, h) * w + clamp(x + dx, w)];
                        }
                    }
                }
                out[y * w + x] = (float) acc;
            }
        }
        return out;
    }

    /**
     * The normalised disk of radius {@code radius} pixels, each pixel weighted by the share of it
     * the disk covers (8x8 samples per pixel): ImageNet-C's aliased disk is too coarse below 2
     * pixels, where a 28x28 image needs its defocus radii.
     */
    static double[][] disk(double radius) {
        int r = (int) Math.ceil(radius);
        double[][] k = new double[2 * r + 1][2 * r + 1];
        double sum = 0;
        int n = 8;
        for (int y = -r; y <= r; y++) {
            for (int x = -r; x <= r; x++) {
                int inside = 0;
                for (int sy = 0; sy < n; sy++) {
                    for (int sx = 0; sx < n; sx++) {
                        double py = y - 0.5 + (sy + 0.5) / n;
                        double px = x - 0.5 + (sx + 0.5) / n;
                        if (px * px + py * py <= radius * radius) {
                            inside++;
                        }
                    }
                }
                k[y + r][x + r] = inside;
                sum += inside;
            }
        }
        for (double[] row : k) {
            for (int x = 0; x < row.length; x++) {
                row[x] /= sum;
            }
        }
        return k;
    }

    /**
     * Motion blur along the direction {@code angle} (radians): each pixel becomes the weighted
     * mean of the pixels behind it at distances {@code 0..3 sigma}, weights a half Gaussian of
     * {@code sigma} (as ImageMagick's {@code -motion-blur}, which ImageNet-C uses), sampled bilinearly.
     */
    static float[] motionBlur(float[] p, int h, int w, double sigma, double angle) {
        int taps = Math.max(2, (int) Math.ceil(3 * sigma) + 1);
        double[] weight = new double[taps];
        double sum = 0;
        for (int t = 0; t < taps; t++) {
            weight[t] = Math.exp(-(t * t) / (2 * sigma * sigma));
            sum += weight[t];
        }
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        float[] out = new float[p.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int t = 0; t < taps; t++) {
                    acc += weight[t] * sampleClamped(p, h, w, y - t * sin, x - t * cos);
                }
                out[y * w + x] = (float) (acc / sum);
            }
        }
        return out;
    }

    /** Bilinear sample at (y, x) in pixel-centre coordinates, reading outside as the nearest edge pixel. */
    static double sampleClamped(float[] p, int h, int w, double y, double x) {
        double cy = Math.max(0, Math.min(h - 1, y));
        double cx = Math.max(0, Math.min(w - 1, x));
        int y0 = (int) Math.floor(cy);
        int x0 = (int) Math.floor(cx);
        int y1 = Math.min(h - 1, y0 + 1);
        int x1 = Math.min(w - 1, x0 + 1);
        double fy = cy - y0;
        double fx = cx - x0;
        double top = p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx;
        double bottom = p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /** Bilinear sample at (y, x), reading pixels outside the plane as {@code fill}. */
    static double sampleFilled(float[] p, int h, int w, double y, double x, double fill) {
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double fy = y - y0;
        double fx = x - x0;
        double top = at(p, h, w, y0, x0, fill) * (1 - fx) + at(p, h, w, y0, x0 + 1, fill) * fx;
        double bottom = at(p, h, w, y0 + 1, x0, fill) * (1 - fx) + at(p, h, w, y0 + 1, x0 + 1, fill) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static double at(float[] p, int h, int w, int y, int x, double fill) {
        return y < 0 || y >= h || x < 0 || x >= w ? fill : p[y * w + x];
    }

    /** Mean of the outermost ring of pixels: the background a rotation or shift brings in. */
    static double borderMean(float[] p, int h, int w) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
                    sum += p[y * w + x];
                    n++;
                }
            }
        }
        return sum / n;
    }

    /**
     * Pixelation as ImageNet-C does it with PIL: shrink to {@code round(h * factor) x round(w * factor)}
     * by area averaging (PIL's BOX filter), then enlarge back by nearest neighbour.
     */
    static float[] pixelate(float[] p, int h, int w, double factor) {
        int sh = Math.max(1, (int) Math.round(h * factor));
        int sw = Math.max(1, (int) Math.round(w * factor));
        float[] small = new float[sh * sw];
        double ry = (double) h / sh;
        double rx = (double) w / sw;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                double acc = 0;
                double area = 0;
                for (int sy = (int) Math.floor(y * ry); sy < Math.min(h, Math.ceil((y + 1) * ry)); sy++) {
                    double oy = Math.min(sy + 1, (y + 1) * ry) - Math.max(sy, y * ry);
                    for (int sx = (int) Math.floor(x * rx); sx < Math.min(w, Math.ceil((x + 1) * rx)); sx++) {
                        double ox = Math.min(sx + 1, (x + 1) * rx) - Math.max(sx, x * rx);
                        acc += oy * ox * p[sy * w + sx];
                        area += oy * ox;
                    }
                }
                small[y * sw + x] = (float) (acc / area);
            }
        }
        float[] out = new float[p.length];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(sh - 1, (int) ((y + 0.5) * sh / h));
            for (int x = 0; x < w; x++) {
                int sx = Math.min(sw - 1, (int) ((x + 0.5) * sw / w));
                out[y * w + x] = small[sy * sw + sx];
            }
        }
        return out;
    }

    static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }
}
