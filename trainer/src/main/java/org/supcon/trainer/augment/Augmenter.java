package org.supcon.trainer.augment;

import java.util.Objects;
import java.util.SplittableRandom;
import org.supcon.trainer.images.Bilinear;
import org.supcon.trainer.images.ImageGeometry;

/**
 * Produces one random view of a uint8 CHW image as float CHW values in 0..255 (raw pixel scale,
 * not normalized: the model normalizes). The steps follow torchvision, in this order:
 *
 * <ol>
 *   <li>RandomResizedCrop: up to 10 tries of area {@code U(minScale, maxScale) * H * W} and aspect
 *       ratio {@code exp(U(log minRatio, log maxRatio))}; the first crop that fits is placed
 *       uniformly; otherwise a centre crop with the ratio clamped into range. The crop is resized
 *       back to {@code H x W} with {@link Bilinear}. Exception: {@code minScale == 1} keeps the
 *       whole image, whatever its aspect ratio.
 *   <li>Horizontal flip with probability 0.5 (if enabled).
 *   <li>With probability {@code jitterProbability}, ColorJitter in a random order: brightness
 *       (multiply by a factor), contrast (blend with the mean gray level of the image), and for RGB
 *       only saturation (blend with the per-pixel gray) and hue (rotate in HSV). Every step clamps
 *       to 0..255. On 1-channel images only brightness and contrast act.
 *   <li>Grayscale with probability {@code grayscaleProbability}, RGB only:
 *       {@code 0.2989 R + 0.587 G + 0.114 B} into all three channels.
 * </ol>
 *
 * <p>All randomness comes from the caller's {@link SplittableRandom}, so a seeded generator gives
 * bit-identical views. Thread-safe: per-thread scratch (resampling tables) is reused so a call
 * allocates nothing in the steady state. Not final so that a caller can wrap {@link #augment}
 * (e.g. to inject failures in tests).
 */
public class Augmenter {

    private static final int CROP_TRIES = 10;
    private static final float RED = 0.2989f;
    private static final float GREEN = 0.587f;
    private static final float BLUE = 0.114f;

    private final AugmentSettings settings;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final Bilinear bilinear = new Bilinear();
        final int[] crop = new int[4];
        final int[] order = new int[4];
    }

    public Augmenter(AugmentSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public AugmentSettings settings() {
        return settings;
    }

    /**
     * Writes one augmented view of the image at {@code src[srcOffset ..]} into
     * {@code dst[dstOffset .. dstOffset + g.pixels())}, CHW floats in 0..255.
     */
    public void augment(byte[] src, int srcOffset, ImageGeometry g, SplittableRandom rng,
            float[] dst, int dstOffset) {
        checkRanges(src, srcOffset, g, dst, dstOffset);
        Objects.requireNonNull(rng, "rng");
        Scratch s = scratch.get();
        int[] crop = s.crop;
        cropParams(g.height(), g.width(), rng, crop);
        s.bilinear.prepare(crop[0], crop[1], crop[2], crop[3], g.height(), g.width())
                .resample(src, srcOffset, g, dst, dstOffset);
        if (settings.horizontalFlip() && rng.nextDouble() < 0.5) {
            flip(dst, dstOffset, g);
        }
        if (settings.jitterProbability() > 0 && rng.nextDouble() < settings.jitterProbability()) {
            jitter(dst, dstOffset, g, rng, s.order);
        }
        if (settings.grayscaleProbability() > 0 && rng.nextDouble() < settings.grayscaleProbability()
                && g.channels() == 3) {
            grayscale(dst, dstOffset, g.planeSize());
        }
    }

    /** Writes the image unchanged as floats 0..255: the view used for evaluation. */
    public static void copy(byte[] src, int srcOffset, ImageGeometry g, float[] dst, int dstOffset) {
        checkRanges(src, srcOffset, g, dst, dstOffset);
        int n = g.pixels();
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = src[srcOffset + i] & 0xFF;
        }
    }

    private static void checkRanges(byte[] src, int srcOffset, ImageGeometry g, float[] dst, int dstOffset) {
        Objects.requireNonNull(g, "geometry");
        Objects.checkFromIndexSize(srcOffset, g.pixels(), src.length);
        Objects.checkFromIndexSize(dstOffset, g.pixels(), dst.length);
    }

    /** torchvision {@code RandomResizedCrop.get_params}; writes top, left, height, width. */
    private void cropParams(int height, int width, SplittableRandom rng, int[] out) {
        if (settings.minScale() == 1) {
            // Whole area asked for: torchvision would still cut a square out of a non-square image
            // when its ratio is outside [minRatio, maxRatio] or by rounding; we keep the image.
            out[0] = 0;
            out[1] = 0;
            out[2] = height;
            out[3] = width;
            return;
        }
        double area = (double) height * width;
        double logMin = Math.log(settings.minRatio());
        double logMax = Math.log(settings.maxRatio());
        for (int attempt = 0; attempt < CROP_TRIES; attempt++) {
            double target = area * uniform(rng, settings.minScale(), settings.maxScale());
            double ratio = Math.exp(uniform(rng, logMin, logMax));
            // Math.rint rounds half to even, as Python's round() in the reference.
            int w = (int) Math.rint(Math.sqrt(target * ratio));
            int h = (int) Math.rint(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                out[0] = rng.nextInt(height - h + 1);
                out[1] = rng.nextInt(width - w + 1);
                out[2] = h;
                out[3] = w;
                return;
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < settings.minRatio()) {
            w = width;
            h = (int) Math.rint(w / settings.minRatio());
        } else if (inRatio > settings.maxRatio()) {
            h = height;
            w = (int) Math.rint(h * settings.maxRatio());
        } else {
            w = width;
            h = height;
        }
        h = Math.max(1, Math.min(h, height));
        w = Math.max(1, Math.min(w, width));
        out[0] = (height - h) / 2;
        out[1] = (width - w) / 2;
        out[2] = h;
        out[3] = w;
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }

    private static void flip(float[] d, int offset, ImageGeometry g) {
        int w = g.width();
        int rows = g.channels() * g.height();
        for (int r = 0; r < rows; r++) {
            int left = offset + r * w;
            int right = left + w - 1;
            while (left < right) {
                float t = d[left];
                d[left++] = d[right];
                d[right--] = t;
            }
        }
    }

    private void jitter(float[] d, int offset, ImageGeometry g, SplittableRandom rng, int[] order) {
        for (int i = 0; i < 4; i++) {
            order[i] = i;
        }
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        // Factors are drawn before applying, in a fixed order, as ColorJitter.get_params does.
        float brightness = (float) factor(rng, settings.brightness());
        float contrast = (float) factor(rng, settings.contrast());
        float saturation = (float) factor(rng, settings.saturation());
        float hue = settings.hue() > 0 ? (float) uniform(rng, -settings.hue(), settings.hue()) : 0f;
        boolean rgb = g.channels() == 3;
        int plane = g.planeSize();
        for (int step : order) {
            switch (step) {
                case 0 -> {
                    if (settings.brightness() > 0) {
                        brightness(d, offset, g.pixels(), brightness);
                    }
                }
                case 1 -> {
                    if (settings.contrast() > 0) {
                        contrast(d, offset, g, contrast);
                    }
                }
                case 2 -> {
                    if (settings.saturation() > 0 && rgb) {
                        saturation(d, offset, plane, saturation);
                    }
                }
                default -> {
                    if (settings.hue() > 0 && rgb) {
                        hue(d, offset, plane, hue);
                    }
                }
            }
        }
    }

    private static double factor(SplittableRandom rng, double strength) {
        return strength > 0 ? uniform(rng, Math.max(0, 1 - strength), 1 + strength) : 1;
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    private static void brightness(float[] d, int offset, int n, float f) {
        for (int i = offset, end = offset + n; i < end; i++) {
            d[i] = clamp(d[i] * f);
        }
    }

    private static void contrast(float[] d, int offset, ImageGeometry g, float f) {
        int plane = g.planeSize();
        double sum = 0;
        if (g.channels() == 3) {
            for (int i = offset, end = offset + plane; i < end; i++) {
                sum += RED * d[i] + GREEN * d[i + plane] + BLUE * d[i + 2 * plane];
            }
        } else {
            for (int i = offset, end = offset + plane; i < end; i++) {
                sum += d[i];
            }
        }
        float blend = (1 - f) * (float) (sum / plane);
        for (int i = offset, end = offset + g.pixels(); i < end; i++) {
            d[i] = clamp(f * d[i] + blend);
        }
    }

    private static void saturation(float[] d, int offset, int plane, float f) {
        float keep = 1 - f;
        for (int i = offset, end = offset + plane; i < end; i++) {
            float r = d[i];
            float gr = d[i + plane];
            float b = d[i + 2 * plane];
            float gray = keep * (RED * r + GREEN * gr + BLUE * b);
            d[i] = clamp(f * r + gray);
            d[i + plane] = clamp(f * gr + gray);
            d[i + 2 * plane] = clamp(f * b + gray);
        }
    }

    /** Rotates hue by {@code shift} turns through an HSV round trip; value and saturation are kept. */
    private static void hue(float[] d, int offset, int plane, float shift) {
        for (int i = offset, end = offset + plane; i < end; i++) {
            float r = d[i];
            float g = d[i + plane];
            float b = d[i + 2 * plane];
            float max = Math.max(r, Math.max(g, b));
            float min = Math.min(r, Math.min(g, b));
            float chroma = max - min;
            if (chroma <= 0) {
                continue;
            }
            float h;
            if (max == r) {
                h = (g - b) / chroma;
            } else if (max == g) {
                h = 2 + (b - r) / chroma;
            } else {
                h = 4 + (r - g) / chroma;
            }
            h = h / 6 + shift;
            h -= (float) Math.floor(h);
            if (h >= 1) {
                // A tiny negative h wraps to 1.0f after rounding; 1 turn is hue 0.
                h = 0;
            }
            float h6 = h * 6;
            int sector = (int) h6;
            float frac = h6 - sector;
            // With v = max and s = chroma / max: p = min, q = max - chroma*f, t = min + chroma*f.
            float q = max - chroma * frac;
            float t = min + chroma * frac;
            switch (sector) {
                case 0 -> set(d, i, plane, max, t, min);
                case 1 -> set(d, i, plane, q, max, min);
                case 2 -> set(d, i, plane, min, max, t);
                case 3 -> set(d, i, plane, min, q, max);
                case 4 -> set(d, i, plane, t, min, max);
                default -> set(d, i, plane, max, min, q);
            }
        }
    }

    private static void set(float[] d, int i, int plane, float r, float g, float b) {
        d[i] = clamp(r);
        d[i + plane] = clamp(g);
        d[i + 2 * plane] = clamp(b);
    }

    private static void grayscale(float[] d, int offset, int plane) {
        for (int i = offset, end = offset + plane; i < end; i++) {
            float gray = clamp(RED * d[i] + GREEN * d[i + plane] + BLUE * d[i + 2 * plane]);
            d[i] = gray;
            d[i + plane] = gray;
            d[i + 2 * plane] = gray;
        }
    }
}
