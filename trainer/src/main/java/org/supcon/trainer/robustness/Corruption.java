package org.supcon.trainer.robustness;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.model.CliNames;

/**
 * The image corruptions of the {@code evaluate} command, after the ImageNet-C families of Hendrycks
 * and Dietterich (2019, "Benchmarking Neural Network Robustness to Common Corruptions and
 * Perturbations"), each at severities 1 to 5, written for this project.
 *
 * <p>Parameters: Fashion-MNIST's 28x28 images are nearer CIFAR's 32x32 than ImageNet's 224x224, so
 * the per-severity tables follow the authors' own small-image adaptation (CIFAR-10-C,
 * {@code make_cifar_c.py}) where it has one: the three noises, contrast, brightness, JPEG quality,
 * pixelate and the Gaussian and motion blurs (their lengths in pixels kept: 28/32 would change them
 * by less than the step between severities). Defocus blur uses disks of 0.6 to 2 pixels, each
 * pixel weighted by the share the disk covers (CIFAR-10-C's aliased disks are one pixel, nothing
 * but the anti-alias blur, at its first three severities, and ImageNet-C's 3 to 10 pixels of 224
 * are 0.4 to 1.25 of 28);
 * elastic transform is Simard et al.'s (2003) smooth random displacement field, which
 * ImageNet-C's builds on, without ImageNet-C's random affine part, at a displacement that grows
 * with severity; rotate and shift are the small rotations and translations of ImageNet-P, as single
 * corruptions with a random sign or direction. {@link #parameters()} lists each table.
 *
 * <p>Pixel values are worked on as 0..1 and written back rounded and clipped to 0..255. Grayscale
 * and RGB are both handled: noise is drawn per value, blurs and geometric changes act per channel
 * plane, brightness adds to the HSV value as ImageNet-C does (for one channel: to the pixel), JPEG
 * encodes the image as gray or RGB with {@code javax.imageio}. Pixels a rotation or shift brings in
 * from outside take the mean of the image's outermost ring (its background).
 *
 * <p>Deterministic: the random draws for image {@code index} come from a {@link SplittableRandom}
 * seeded by (seed, index, corruption, severity), so a corrupted set does not depend on thread
 * scheduling or on which other images are corrupted with it.
 */
public enum Corruption {

    /** Additive Gaussian noise of standard deviation c (pixels in 0..1). */
    GAUSSIAN_NOISE("gaussian-noise", "sigma", 0.04, 0.06, 0.08, 0.09, 0.10) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (c * gaussian(rng));
            }
        }
    },
    /** Poisson (shot) noise: each value becomes Poisson(x * c) / c; fewer photons, more noise. */
    SHOT_NOISE("shot-noise", "photons", 500, 250, 100, 75, 50) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (poisson(rng, Math.max(0, v[i]) * c) / c);
            }
        }
    },
    /** Salt-and-pepper noise: a share c of the values set to 0 or 1, half each (skimage's {@code s&p}). */
    IMPULSE_NOISE("impulse-noise", "share", 0.01, 0.02, 0.03, 0.05, 0.07) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            for (int i = 0; i < v.length; i++) {
                if (rng.nextDouble() < c) {
                    v[i] = rng.nextBoolean() ? 1f : 0f;
                }
            }
        }
    },
    /** Gaussian blur of standard deviation c pixels. */
    GAUSSIAN_BLUR("gaussian-blur", "sigma px", 0.4, 0.6, 0.7, 0.8, 1.0) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            perPlane(v, g, p -> Planes.gaussianBlur(p, g.height(), g.width(), c));
        }
    },
    /** Defocus: the mean over a disk of radius c pixels, then a Gaussian anti-alias blur of 0.3 pixel. */
    DEFOCUS_BLUR("defocus-blur", "disk radius px", 0.6, 0.9, 1.2, 1.6, 2.0) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            double[][] disk = Planes.disk(c);
            perPlane(v, g, p -> Planes.gaussianBlur(Planes.convolve(p, g.height(), g.width(), disk),
                    g.height(), g.width(), 0.3));
        }
    },
    /** Motion blur: a half Gaussian of c pixels along a random direction within 45 degrees of horizontal. */
    MOTION_BLUR("motion-blur", "sigma px", 1.0, 1.5, 2.0, 2.5, 3.0) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            double angle = Math.toRadians(rng.nextDouble(-45, 45));
            perPlane(v, g, p -> Planes.motionBlur(p, g.height(), g.width(), c, angle));
        }
    },
    /** Contrast: each channel pulled towards its mean, {@code (x - mean) * c + mean}. */
    CONTRAST("contrast", "factor", 0.75, 0.5, 0.4, 0.3, 0.15) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            perPlane(v, g, p -> {
                double mean = 0;
                for (float x : p) {
                    mean += x;
                }
                mean /= p.length;
                float[] out = new float[p.length];
                for (int i = 0; i < p.length; i++) {
                    out[i] = (float) ((p[i] - mean) * c + mean);
                }
                return out;
            });
        }
    },
    /** Brightness: c added to the HSV value (V = max over channels), hue and saturation kept. */
    BRIGHTNESS("brightness", "added", 0.05, 0.1, 0.15, 0.2, 0.3) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            int plane = g.planeSize();
            for (int i = 0; i < plane; i++) {
                float max = 0;
                for (int ch = 0; ch < g.channels(); ch++) {
                    max = Math.max(max, v[ch * plane + i]);
                }
                float target = (float) Math.min(1, max + c);
                for (int ch = 0; ch < g.channels(); ch++) {
                    int at = ch * plane + i;
                    v[at] = max <= 0 ? target : v[at] * target / max;
                }
            }
        }
    },
    /** Pixelation: shrunk to a share c of the side by area averaging, enlarged back by nearest neighbour. */
    PIXELATE("pixelate", "side share", 0.95, 0.9, 0.85, 0.75, 0.65) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            perPlane(v, g, p -> Planes.pixelate(p, g.height(), g.width(), c));
        }
    },
    /** JPEG compression at quality c (of 100) with {@code javax.imageio}, decoded back. */
    JPEG("jpeg", "quality", 80, 65, 58, 50, 40) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            jpeg(v, g, (float) (c / 100));
        }
    },
    /**
     * Elastic transform: every pixel moved by a random field (uniform noise smoothed by a Gaussian of
     * 3 pixels, as Simard et al.), scaled to a root-mean-square displacement of c pixels.
     */
    ELASTIC("elastic", "rms displacement px", 0.4, 0.7, 1.0, 1.3, 1.6) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            int h = g.height();
            int w = g.width();
            float[] dx = field(rng, h, w);
            float[] dy = field(rng, h, w);
            double rms = 0;
            for (int i = 0; i < dx.length; i++) {
                rms += dx[i] * dx[i] + dy[i] * dy[i];
            }
            double scale = c / Math.sqrt(Math.max(1e-12, rms / dx.length));
            perPlane(v, g, p -> {
                float[] out = new float[p.length];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int i = y * w + x;
                        out[i] = (float) Planes.sampleClamped(p, h, w, y + dy[i] * scale, x + dx[i] * scale);
                    }
                }
                return out;
            });
        }

        private float[] field(SplittableRandom rng, int h, int w) {
            float[] f = new float[h * w];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rng.nextDouble(-1, 1);
            }
            return Planes.gaussianBlur(f, h, w, 3);
        }
    },
    /** Rotation by c degrees about the centre, clockwise or counter-clockwise at random. */
    ROTATE("rotate", "degrees", 4, 8, 12, 16, 20) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            double a = Math.toRadians(rng.nextBoolean() ? c : -c);
            double cos = Math.cos(a);
            double sin = Math.sin(a);
            double cy = (g.height() - 1) / 2.0;
            double cx = (g.width() - 1) / 2.0;
            warp(v, g, (y, x) -> new double[] {cy + (y - cy) * cos - (x - cx) * sin, cx + (y - cy) * sin + (x - cx) * cos});
        }
    },
    /** Translation by c pixels in a random direction (sub-pixel, bilinear). */
    SHIFT("shift", "pixels", 1, 1.5, 2, 2.5, 3) {
        @Override
        void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng) {
            double a = rng.nextDouble(0, 2 * Math.PI);
            double sy = c * Math.sin(a);
            double sx = c * Math.cos(a);
            warp(v, g, (y, x) -> new double[] {y - sy, x - sx});
        }
    };

    /** The lowest severity. */
    public static final int MIN_SEVERITY = 1;
    /** The highest severity. */
    public static final int MAX_SEVERITY = 5;

    private final String cliName;
    private final String parameterName;
    private final double[] table;

    Corruption(String cliName, String parameterName, double... table) {
        this.cliName = cliName;
        this.parameterName = parameterName;
        this.table = table;
    }

    /** Changes {@code v} (one image, CHW, values 0..1) at the table's parameter {@code c}. */
    abstract void apply(float[] v, ImageGeometry g, double c, SplittableRandom rng);

    /** The command-line name, e.g. {@code gaussian-noise}. */
    public String cliName() {
        return cliName;
    }

    /** What the per-severity parameter is, e.g. {@code sigma px}. */
    public String parameterName() {
        return parameterName;
    }

    /** The parameter at severities 1 to 5. */
    public double[] parameters() {
        return table.clone();
    }

    /**
     * The corruption named {@code name} (case and surrounding spaces ignored).
     *
     * @throws IllegalArgumentException naming the value and listing the known corruptions
     */
    public static Corruption fromName(String name) {
        return CliNames.parse(values(), Corruption::cliName, "corruption", name);
    }

    /** The known names, comma-separated. */
    public static String names() {
        return CliNames.join(values(), Corruption::cliName);
    }

    /** @throws IllegalArgumentException unless {@code severity} is 1..5 */
    public static int checkSeverity(int severity) {
        if (severity < MIN_SEVERITY || severity > MAX_SEVERITY) {
            throw new IllegalArgumentException("severity must be between " + MIN_SEVERITY + " and " + MAX_SEVERITY
                    + ", got " + severity);
        }
        return severity;
    }

    /**
     * Image {@code index} of a set, corrupted.
     *
     * @param pixels uint8 values, CHW, the image starting at {@code offset}
     * @return a new array of {@code g.pixels()} values
     */
    public byte[] apply(byte[] pixels, int offset, ImageGeometry g, int severity, long seed, int index) {
        checkSeverity(severity);
        Objects.checkFromIndexSize(offset, g.pixels(), pixels.length);
        float[] v = new float[g.pixels()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (pixels[offset + i] & 0xFF) / 255f;
        }
        apply(v, g, table[severity - 1], new SplittableRandom(seedFor(seed, index, severity)));
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            float x = v[i] * 255f;
            out[i] = (byte) (x >= 255 ? 255 : x <= 0 || Float.isNaN(x) ? 0 : Math.round(x));
        }
        return out;
    }

    /**
     * Every image of {@code set} corrupted (image {@code i} as {@link #apply} with index {@code i}),
     * in parallel; labels, ids and classes kept.
     */
    public ImageSet apply(ImageSet set, int severity, long seed) {
        return apply(set, 0, set.size(), severity, seed);
    }

    /**
     * Images {@code from} (inclusive) to {@code to} (exclusive) of {@code set}, corrupted as in the
     * whole set (image {@code i} with index {@code i}): a large set is evaluated a part at a time.
     */
    public ImageSet apply(ImageSet set, int from, int to, int severity, long seed) {
        checkSeverity(severity);
        Objects.checkFromToIndex(from, to, set.size());
        ImageGeometry g = set.geometry();
        int n = g.pixels();
        byte[] out = new byte[(to - from) * n];
        IntStream.range(from, to).parallel().forEach(i -> System.arraycopy(
                apply(set.pixels(), set.offset(i), g, severity, seed, i), 0, out, (i - from) * n, n));
        String[] ids = new String[to - from];
        for (int i = from; i < to; i++) {
            ids[i - from] = set.id(i);
        }
        return new ImageSet(g, set.labelNames(), out, java.util.Arrays.copyOfRange(set.labels(), from, to), ids);
    }

    private long seedFor(long seed, int index, int severity) {
        long h = mix(seed ^ 0x5DEECE66DL);
        h = mix(h ^ index);
        h = mix(h ^ cliName.hashCode());
        return mix(h ^ severity);
    }

    /** SplitMix64's finaliser: consecutive inputs give unrelated outputs. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double gaussian(SplittableRandom rng) {
        // Marsaglia's polar method: SplittableRandom has no nextGaussian on Java 17
        double u;
        double w;
        double s;
        do {
            u = rng.nextDouble(-1, 1);
            w = rng.nextDouble(-1, 1);
            s = u * u + w * w;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** Knuth's method below a mean of 30, the rounded normal approximation above it. */
    private static double poisson(SplittableRandom rng, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean >= 30) {
            return Math.max(0, Math.rint(mean + Math.sqrt(mean) * gaussian(rng)));
        }
        double limit = Math.exp(-mean);
        double product = rng.nextDouble();
        int k = 0;
        while (product > limit) {
            product *= rng.nextDouble();
            k++;
        }
        return k;
    }

    private static void perPlane(float[] v, ImageGeometry g, java.util.function.UnaryOperator<float[]> op) {
        int plane = g.planeSize();
        for (int ch = 0; ch < g.channels(); ch++) {
            float[] p = new float[plane];
            System.arraycopy(v, ch * plane, p, 0, plane);
            System.arraycopy(op.apply(p), 0, v, ch * plane, plane);
        }
    }

    /** Where output pixel (y, x) reads from in the input. */
    private interface Source {
        double[] at(double y, double x);
    }

    private static void warp(float[] v, ImageGeometry g, Source source) {
        int h = g.height();
        int w = g.width();
        perPlane(v, g, p -> {
            double fill = Planes.borderMean(p, h, w);
            float[] out = new float[p.length];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double[] s = source.at(y, x);
                    out[y * w + x] = (float) Planes.sampleFilled(p, h, w, s[0], s[1], fill);
                }
            }
            return out;
        });
    }

    private static void jpeg(float[] v, ImageGeometry g, float quality) {
        int h = g.height();
        int w = g.width();
        int plane = g.planeSize();
        boolean gray = g.channels() == 1;
        BufferedImage img = new BufferedImage(w, h, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (gray) {
                    img.getRaster().setSample(x, y, 0, toByte(v[i]));
                } else {
                    img.setRGB(x, y, (toByte(v[i]) << 16) | (toByte(v[plane + i]) << 8) | toByte(v[2 * plane + i]));
                }
            }
        }
        BufferedImage back;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (MemoryCacheImageOutputStream os = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(os);
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
                writer.write(null, new IIOImage(img, null, null), param);
            } finally {
                writer.dispose();
            }
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            try (MemoryCacheImageInputStream is = new MemoryCacheImageInputStream(
                    new ByteArrayInputStream(bytes.toByteArray()))) {
                reader.setInput(is);
                back = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip of a " + g + " image failed", e);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (gray) {
                    v[i] = back.getRaster().getSample(x, y, 0) / 255f;
                } else {
                    int rgb = back.getRGB(x, y);
                    v[i] = ((rgb >> 16) & 0xFF) / 255f;
                    v[plane + i] = ((rgb >> 8) & 0xFF) / 255f;
                    v[2 * plane + i] = (rgb & 0xFF) / 255f;
                }
            }
        }
    }

    private static int toByte(float x) {
        return Math.max(0, Math.min(255, Math.round(x * 255)));
    }
}
