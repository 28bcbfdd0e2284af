package org.supcon.inference.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns PNG and JPEG files into model input: NCHW float32 pixel values 0..255, converted to the
 * model's channels (gray or RGB) and resized bilinearly to its height and width.
 *
 * <p>The declared width and height are read from the header first and checked against the limit
 * before any pixel is decoded, so a small file declaring a huge image (a decompression bomb) costs
 * nothing. Gray images keep their exact sample values (no colour-space conversion; 16-bit samples
 * are scaled to 0..255); colour images go to gray with the ITU-R BT.601 luma weights. Alpha is
 * ignored. Thread-safe.
 */
public final class ImageDecoder {

    private static final Set<String> FORMATS = Set.of("png", "jpeg");

    static {
        // the bytes are in memory already: no temporary cache file per image
        ImageIO.setUseCache(false);
    }

    private final int maxDimension;
    private final DecodeBudget budget;

    /** @param maxDimension the largest width or height accepted; decodes bounded only by it */
    public ImageDecoder(int maxDimension) {
        this(maxDimension, null);
    }

    /**
     * @param maxDimension the largest width or height accepted
     * @param budget bounds the memory of concurrent decodes (null: no bound beyond maxDimension)
     */
    public ImageDecoder(int maxDimension, DecodeBudget budget) {
        if (maxDimension < 1) {
            throw new IllegalArgumentException("max dimension must be positive, got " + maxDimension);
        }
        this.maxDimension = maxDimension;
        this.budget = budget;
    }

    /**
     * Decodes one image into {@code dest[offset .. offset + channels*height*width)}.
     *
     * @param what names the image in messages, e.g. {@code "image 2 (shirt.png)"}
     * @throws ImageException naming the problem
     */
    public void decodeInto(byte[] bytes, String what, int channels, int height, int width, float[] dest, int offset) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("models with " + channels + " channels are not supported (1 or 3)");
        }
        Decoded decoded = read(bytes, what);
        // the share of the decode budget is held until the planes and the resize are done (null: no budget)
        try (DecodeBudget.Lease lease = decoded.lease()) {
            BufferedImage image = decoded.image();
            float[][] planes = planes(image, channels);
            int w = image.getWidth();
            int h = image.getHeight();
            int plane = height * width;
            for (int c = 0; c < channels; c++) {
                resizeBilinear(planes[c], w, h, dest, offset + c * plane, width, height);
            }
        }
    }

    /** Same as {@link #decodeInto} into a new array of one image. */
    public float[] decode(byte[] bytes, String what, int channels, int height, int width) {
        float[] out = new float[channels * height * width];
        decodeInto(bytes, what, channels, height, width, out, 0);
        return out;
    }

    /** A decoded image and the share of the decode budget it holds (null without a budget). */
    private record Decoded(BufferedImage image, DecodeBudget.Lease lease) {
    }

    private Decoded read(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageException(ImageException.Kind.UNDECODABLE, what + " is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException(ImageException.Kind.UNDECODABLE, what + " is not a PNG or JPEG image ("
                        + bytes.length + " bytes that no image reader recognises)");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!FORMATS.contains(format)) {
                    throw new ImageException(ImageException.Kind.UNSUPPORTED_FORMAT, what + " is " + format.toUpperCase(Locale.ROOT)
                            + "; send PNG or JPEG");
                }
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w > maxDimension || h > maxDimension) {
                    throw new ImageException(ImageException.Kind.TOO_LARGE, what + " is " + w + "x" + h
                            + " pixels, over the limit of " + maxDimension + " per side (inference.limits.max-dimension)");
                }
                if (w < 1 || h < 1) {
                    throw new ImageException(ImageException.Kind.UNDECODABLE, what + " declares " + w + "x" + h + " pixels");
                }
                DecodeBudget.Lease lease = budget == null ? null : budget.acquire(w, h, what);
                try {
                    return new Decoded(reader.read(0), lease);
                } catch (IOException | RuntimeException e) {
                    if (lease != null) {
                        lease.close();
                    }
                    throw e;
                }
            } finally {
                reader.dispose();
            }
        } catch (ImageException | org.supcon.inference.model.OverloadedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageException(ImageException.Kind.UNDECODABLE, what + " cannot be decoded (corrupt or truncated "
                    + "PNG/JPEG): " + e.getMessage(), e);
        }
    }

    /** Channel planes 0..255 of the image at its own size: 1 (gray) or 3 (R, G, B). */
    static float[][] planes(BufferedImage image, int channels) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[][] out = new float[channels][w * h];
        Raster raster = image.getRaster();
        boolean gray = !(image.getColorModel() instanceof IndexColorModel)
                && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        if (gray) {
            int bits = image.getColorModel().getComponentSize(0);
            float scale = 255f / ((1 << bits) - 1);
            float[] g = raster.getSamples(0, 0, w, h, 0, (float[]) null);
            for (int i = 0; i < g.length; i++) {
                g[i] *= scale;
            }
            for (int c = 0; c < channels; c++) {
                System.arraycopy(g, 0, out[c], 0, g.length);
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int r = (argb[i] >> 16) & 0xff;
            int gr = (argb[i] >> 8) & 0xff;
            int b = argb[i] & 0xff;
            if (channels == 1) {
                out[0][i] = 0.299f * r + 0.587f * gr + 0.114f * b;
            } else {
                out[0][i] = r;
                out[1][i] = gr;
                out[2][i] = b;
            }
        }
        return out;
    }

    /**
     * Bilinear resize with half-pixel centres (as PIL and OpenCV), clamped at the edges; a copy when
     * the size is unchanged.
     */
    static void resizeBilinear(float[] src, int sw, int sh, float[] dest, int offset, int dw, int dh) {
        if (sw == dw && sh == dh) {
            System.arraycopy(src, 0, dest, offset, src.length);
            return;
        }
        float sx = (float) sw / dw;
        float sy = (float) sh / dh;
        for (int y = 0; y < dh; y++) {
            float fy = Math.max(0, (y + 0.5f) * sy - 0.5f);
            int y0 = Math.min((int) fy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            float wy = fy - y0;
            for (int x = 0; x < dw; x++) {
                float fx = Math.max(0, (x + 0.5f) * sx - 0.5f);
                int x0 = Math.min((int) fx, sw - 1);
                int x1 = Math.min(x0 + 1, sw - 1);
                float wx = fx - x0;
                float top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
                float bottom = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
                dest[offset + y * dw + x] = top * (1 - wy) + bottom * wy;
            }
        }
    }
}
