package org.supcon.trainer.augment;

/**
 * What {@link Augmenter} does to one view, in torchvision terms:
 * {@code RandomResizedCrop(scale=(minScale, maxScale), ratio=(minRatio, maxRatio))},
 * {@code RandomHorizontalFlip()} if {@code horizontalFlip},
 * {@code RandomApply([ColorJitter(brightness, contrast, saturation, hue)], p=jitterProbability)},
 * {@code RandomGrayscale(p=grayscaleProbability)}.
 *
 * @param minScale smallest crop area as a fraction of the image, in (0, 1]; 1 means no crop
 * @param maxScale largest crop area fraction, in [minScale, 1]
 * @param minRatio smallest crop aspect ratio width/height, positive
 * @param maxRatio largest crop aspect ratio, at least minRatio
 * @param horizontalFlip mirror left-right with probability 0.5
 * @param brightness brightness factor drawn from [max(0, 1-b), 1+b]; 0 disables
 * @param contrast contrast factor drawn from [max(0, 1-c), 1+c]; 0 disables
 * @param saturation saturation factor drawn from [max(0, 1-s), 1+s]; 0 disables; RGB only
 * @param hue hue shift drawn from [-hue, hue] turns, in [0, 0.5]; 0 disables; RGB only
 * @param jitterProbability chance that the colour jitter is applied at all, in [0, 1]
 * @param grayscaleProbability chance of converting to gray (RGB only), in [0, 1]
 */
public record AugmentSettings(
        double minScale, double maxScale, double minRatio, double maxRatio,
        boolean horizontalFlip,
        double brightness, double contrast, double saturation, double hue,
        double jitterProbability, double grayscaleProbability) {

    public AugmentSettings {
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException(
                    "crop scale must satisfy 0 < minScale <= maxScale <= 1, got " + minScale + ".." + maxScale);
        }
        if (!(minRatio > 0 && minRatio <= maxRatio && Double.isFinite(maxRatio))) {
            throw new IllegalArgumentException(
                    "crop ratio must satisfy 0 < minRatio <= maxRatio, got " + minRatio + ".." + maxRatio);
        }
        requireFactor("brightness", brightness);
        requireFactor("contrast", contrast);
        requireFactor("saturation", saturation);
        if (!(hue >= 0 && hue <= 0.5)) {
            throw new IllegalArgumentException("hue must be in [0, 0.5], got " + hue);
        }
        requireProbability("jitterProbability", jitterProbability);
        requireProbability("grayscaleProbability", grayscaleProbability);
    }

    private static void requireFactor(String name, double value) {
        if (!(value >= 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
    }

    private static void requireProbability(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
    }

    /**
     * The SupContrast reference pipeline: RandomResizedCrop(scale 0.2..1, ratio 3/4..4/3),
     * horizontal flip, ColorJitter(0.4, 0.4, 0.4, 0.1) with p = 0.8, grayscale with p = 0.2.
     */
    public static AugmentSettings supconDefaults() {
        return new AugmentSettings(0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0, true, 0.4, 0.4, 0.4, 0.1, 0.8, 0.2);
    }

    /** These settings with another smallest crop area (RandomResizedCrop's lower scale bound). */
    public AugmentSettings withMinScale(double scale) {
        return new AugmentSettings(scale, maxScale, minRatio, maxRatio, horizontalFlip, brightness, contrast,
                saturation, hue, jitterProbability, grayscaleProbability);
    }

    /** No augmentation: the whole image, unflipped, colours untouched. */
    public static AugmentSettings none() {
        return new AugmentSettings(1.0, 1.0, 1.0, 1.0, false, 0, 0, 0, 0, 0, 0);
    }
}
