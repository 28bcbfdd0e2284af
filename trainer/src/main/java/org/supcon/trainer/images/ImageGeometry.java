package org.supcon.trainer.images;

/**
 * The shape of one image, {@code [channels, height, width]} (CHW, planar).
 *
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param height rows, positive
 * @param width columns, positive
 */
public record ImageGeometry(int channels, int height, int width) {

    public ImageGeometry {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "height and width must be positive, got " + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "image too large: " + channels + "x" + height + "x" + width);
        }
    }

    /** Values in one image: {@code channels * height * width}. */
    public int pixels() {
        return channels * height * width;
    }

    /** Values in one channel plane: {@code height * width}. */
    public int planeSize() {
        return height * width;
    }

    /** {@code CxHxW}, e.g. {@code 1x28x28}. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
