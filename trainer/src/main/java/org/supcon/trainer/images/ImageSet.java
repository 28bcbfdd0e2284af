package org.supcon.trainer.images;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable in-memory set of labeled images, all of one {@link ImageGeometry}.
 *
 * <p>Storage: {@code pixels} holds {@code size()} images back to back, each as uint8 values in
 * CHW-planar order (shape {@code [size, channels, height, width]}); image {@code i} starts at
 * {@link #offset(int) offset(i)} {@code = i * geometry.pixels()}. {@code labels[i]} is the class id
 * of image {@code i}, an index into {@code labelNames}.
 *
 * <p>The arrays are not copied: the constructor takes ownership of them and {@link #pixels()} /
 * {@link #labels()} hand out the same arrays so that augmentation can read without copying 47 MB.
 * Nobody may write to them; every derived set ({@link #subset}, {@link #head}) gets fresh arrays.
 * A set may be empty (e.g. a validation split with fraction 0).
 *
 * <p>Every image has an id: the dataset cache's record id, the id the {@code ingest} command
 * gives a file's image ({@code fashion-mnist/train/000042}), or its position when the source has
 * none. Ids travel with their images through {@link #subset} and {@link #head}, so a vector index
 * or a list of suspected mislabels can name the sample a user can relabel.
 */
public final class ImageSet {

    private final ImageGeometry geometry;
    private final List<String> labelNames;
    private final byte[] pixels;
    private final int[] labels;
    private final String[] ids;

    /**
     * @param geometry shape of every image
     * @param labelNames class names, index = class id; at least one, no duplicates
     * @param pixels {@code labels.length * geometry.pixels()} uint8 values, CHW per image
     * @param labels one class id per image, each in {@code [0, labelNames.size())}
     */
    public ImageSet(ImageGeometry geometry, List<String> labelNames, byte[] pixels, int[] labels) {
        this(geometry, labelNames, pixels, labels, null);
    }

    /**
     * @param ids one id per image, or null for the positions {@code "0", "1", ...}
     */
    public ImageSet(ImageGeometry geometry, List<String> labelNames, byte[] pixels, int[] labels, String[] ids) {
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(labelNames, "labelNames");
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.labels = Objects.requireNonNull(labels, "labels");
        if (labelNames.isEmpty()) {
            throw new IllegalArgumentException("labelNames is empty: a dataset needs at least one class");
        }
        Set<String> seen = new HashSet<>();
        for (String name : labelNames) {
            if (name == null) {
                throw new IllegalArgumentException("labelNames contains null: " + labelNames);
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("duplicate label name '" + name + "' in " + labelNames);
            }
        }
        this.labelNames = List.copyOf(labelNames);
        long expected = (long) labels.length * geometry.pixels();
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " values but " + labels.length
                    + " labels of " + geometry + " images need " + expected);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= labelNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i
                        + " is out of range [0, " + labelNames.size() + ")");
            }
        }
        if (ids == null) {
            ids = new String[labels.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Integer.toString(i);
            }
        } else if (ids.length != labels.length) {
            throw new IllegalArgumentException(ids.length + " ids for " + labels.length + " images");
        }
        this.ids = ids;
    }

    /** The same images and labels under other ids (arrays shared, not copied). */
    public ImageSet withIds(List<String> newIds) {
        return new ImageSet(geometry, labelNames, pixels, labels, newIds.toArray(String[]::new));
    }

    /** The same images and ids with other labels (e.g. flipped by label noise); arrays shared except labels. */
    public ImageSet withLabels(int[] newLabels) {
        return new ImageSet(geometry, labelNames, pixels, newLabels, ids);
    }

    /** Id of image {@code i}. */
    public String id(int i) {
        return ids[Objects.checkIndex(i, ids.length)];
    }

    /** An empty set with the given geometry and classes. */
    public static ImageSet empty(ImageGeometry geometry, List<String> labelNames) {
        return new ImageSet(geometry, labelNames, new byte[0], new int[0]);
    }

    public ImageGeometry geometry() {
        return geometry;
    }

    /** Class names; index = class id. */
    public List<String> labelNames() {
        return labelNames;
    }

    /** The shared backing array, shape {@code [size, C, H, W]} uint8. Read only. */
    public byte[] pixels() {
        return pixels;
    }

    /** The shared backing array of class ids, one per image. Read only. */
    public int[] labels() {
        return labels;
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return labelNames.size();
    }

    /** Index into {@link #pixels()} where image {@code i} starts. */
    public int offset(int i) {
        Objects.checkIndex(i, labels.length);
        return i * geometry.pixels();
    }

    /** Class id of image {@code i}. */
    public int label(int i) {
        return labels[Objects.checkIndex(i, labels.length)];
    }

    /** The pixel value (0..255) at channel {@code c}, row {@code y}, column {@code x} of image {@code i}. */
    public int pixel(int i, int c, int y, int x) {
        Objects.checkIndex(c, geometry.channels());
        Objects.checkIndex(y, geometry.height());
        Objects.checkIndex(x, geometry.width());
        return pixels[offset(i) + (c * geometry.height() + y) * geometry.width() + x] & 0xFF;
    }

    /** A new set with the images at {@code indices}, in that order (repeats allowed). */
    public ImageSet subset(int[] indices) {
        Objects.requireNonNull(indices, "indices");
        int p = geometry.pixels();
        if ((long) indices.length * p > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("subset of " + indices.length + " images is too large");
        }
        byte[] newPixels = new byte[indices.length * p];
        int[] newLabels = new int[indices.length];
        String[] newIds = new String[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= labels.length) {
                throw new IndexOutOfBoundsException(
                        "subset index " + i + " at position " + k + " is out of range [0, " + labels.length + ")");
            }
            System.arraycopy(pixels, i * p, newPixels, k * p, p);
            newLabels[k] = labels[i];
            newIds[k] = ids[i];
        }
        return new ImageSet(geometry, labelNames, newPixels, newLabels, newIds);
    }

    /** The first {@code n} images (all of them if {@code n >= size()}); used for {@code --limit}. */
    public ImageSet head(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("head(n) needs n >= 0, got " + n);
        }
        if (n >= labels.length) {
            return this;
        }
        int p = geometry.pixels();
        byte[] newPixels = new byte[n * p];
        System.arraycopy(pixels, 0, newPixels, 0, n * p);
        int[] newLabels = new int[n];
        System.arraycopy(labels, 0, newLabels, 0, n);
        return new ImageSet(geometry, labelNames, newPixels, newLabels, java.util.Arrays.copyOf(ids, n));
    }

    /** Number of images per class id, length {@link #numClasses()}. */
    public int[] countsPerLabel() {
        int[] counts = new int[labelNames.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return "ImageSet[" + size() + " images of " + geometry + ", " + numClasses() + " classes]";
    }
}
