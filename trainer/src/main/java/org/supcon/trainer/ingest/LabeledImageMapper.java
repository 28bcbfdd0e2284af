package org.supcon.trainer.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

/**
 * Builds the {@link LabeledImage} records of the {@code labeled-images} topic; pure, no I/O.
 *
 * <p>Ids are stable, so publishing the same data again replaces records instead of adding new
 * images:
 * <ul>
 *   <li>an image of an {@link ImageSet}: {@code <dataset>/<split>/<index>}, the index zero-padded
 *       to six digits, e.g. {@code fashion-mnist/train/000123};
 *   <li>a file of an image folder: {@code folder/<label>/<path below the label folder>}, e.g.
 *       {@code folder/boot/2024/img_01.png}, whatever the folder's own location.
 * </ul>
 *
 * <p>Pixels: an {@code ImageSet} holds {@code [C, H, W]} planes, the contract's
 * {@link ImageEncoding#IMAGE_ENCODING_RAW_U8} wants {@code [H, W, C]} interleaved bytes, so
 * three-channel images are transposed (one-channel images are the same bytes either way).
 * Folder files travel as their original PNG or JPEG bytes.
 */
public final class LabeledImageMapper {

    /** First segment of the id of a folder image. */
    public static final String FOLDER = "folder";

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private LabeledImageMapper() {
    }

    /** {@code <dataset>/<split>/<index>}, the index padded to six digits (wider indices stay unique). */
    public static String imageSetId(String dataset, String split, int index) {
        requireSegment(dataset, "dataset");
        requireSegment(split, "split");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, got " + index);
        }
        return String.format(Locale.ROOT, "%s/%s/%06d", dataset, split, index);
    }

    /**
     * Image {@code index} of {@code set} as a raw {@code [H, W, C]} uint8 record.
     *
     * @param dataset the dataset name, first id segment and the record's source, e.g. {@code fashion-mnist}
     * @param split {@code train} or {@code test}; second id segment and the record's split hint
     */
    public static LabeledImage fromImageSet(ImageSet set, int index, String dataset, String split, Instant created) {
        Objects.requireNonNull(set, "set");
        Objects.checkIndex(index, set.size());
        ImageGeometry g = set.geometry();
        return LabeledImage.newBuilder()
                .setId(imageSetId(dataset, split, index))
                .setEncoding(ImageEncoding.IMAGE_ENCODING_RAW_U8)
                .setImage(ByteString.copyFrom(chwToHwc(set.pixels(), set.offset(index), g)))
                .setWidth(g.width())
                .setHeight(g.height())
                .setChannels(g.channels())
                .setLabel(set.labelNames().get(set.label(index)))
                .setSource(dataset)
                .setSplit(split)
                .setCreated(timestamp(created))
                .build();
    }

    /** {@code folder/<label>/<relativePath>}; {@code relativePath} uses {@code /} between its parts. */
    public static String folderId(String label, String relativePath) {
        requireSegment(label, "label");
        Objects.requireNonNull(relativePath, "relativePath");
        if (relativePath.isEmpty() || relativePath.startsWith("/") || relativePath.contains("\\")) {
            throw new IllegalArgumentException("relativePath must be a relative path with '/' separators, got '"
                    + relativePath + "'");
        }
        return FOLDER + "/" + label + "/" + relativePath;
    }

    /**
     * A file of an image folder as an {@link ImageEncoding#IMAGE_ENCODING_ENCODED} record with its
     * original bytes; geometry is left to the reader of the file. The split hint stays empty: a
     * folder has no split of its own, the trainer decides.
     *
     * @param relativePath the file's path below its label folder, {@code /}-separated
     * @param source where the file came from, e.g. its {@code file:} URI
     * @throws IllegalArgumentException if {@code bytes} are neither PNG nor JPEG (the message names the id)
     */
    public static LabeledImage fromFile(String label, String relativePath, byte[] bytes, String source, Instant created) {
        String id = folderId(label, relativePath);
        Objects.requireNonNull(bytes, "bytes");
        if (imageFormat(bytes) == null) {
            throw new IllegalArgumentException(id + " is not a PNG or JPEG file (" + bytes.length + " bytes, starting "
                    + hexPrefix(bytes) + ")");
        }
        return LabeledImage.newBuilder()
                .setId(id)
                .setEncoding(ImageEncoding.IMAGE_ENCODING_ENCODED)
                .setImage(ByteString.copyFrom(bytes))
                .setLabel(label)
                .setSource(Objects.requireNonNull(source, "source"))
                .setCreated(timestamp(created))
                .build();
    }

    /** {@code "png"}, {@code "jpeg"} or {@code null}, from the file signature. */
    public static String imageFormat(byte[] bytes) {
        if (startsWith(bytes, PNG_MAGIC)) {
            return "png";
        }
        if (bytes.length >= 3 && bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xD8 && bytes[2] == (byte) 0xFF) {
            return "jpeg";
        }
        return null;
    }

    /**
     * The pixels of a raw record as {@code [C, H, W]} planes, the layout of {@link ImageSet}; the
     * inverse of {@link #fromImageSet}.
     *
     * @throws IllegalArgumentException if the record is not raw or its byte count does not match its geometry
     */
    public static byte[] rawPixelsChw(LabeledImage image) {
        if (image.getEncoding() != ImageEncoding.IMAGE_ENCODING_RAW_U8) {
            throw new IllegalArgumentException("record " + image.getId() + " is " + image.getEncoding()
                    + ", not IMAGE_ENCODING_RAW_U8");
        }
        ImageGeometry g = new ImageGeometry(image.getChannels(), image.getHeight(), image.getWidth());
        if (image.getImage().size() != g.pixels()) {
            throw new IllegalArgumentException("record " + image.getId() + " has " + image.getImage().size()
                    + " pixel bytes but its geometry " + g + " needs " + g.pixels());
        }
        byte[] hwc = image.getImage().toByteArray();
        if (g.channels() == 1) {
            return hwc;
        }
        int plane = g.planeSize();
        byte[] chw = new byte[g.pixels()];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < g.channels(); c++) {
                chw[c * plane + p] = hwc[p * g.channels() + c];
            }
        }
        return chw;
    }

    static byte[] chwToHwc(byte[] pixels, int offset, ImageGeometry g) {
        int plane = g.planeSize();
        byte[] hwc = new byte[g.pixels()];
        if (g.channels() == 1) {
            System.arraycopy(pixels, offset, hwc, 0, plane);
            return hwc;
        }
        for (int c = 0; c < g.channels(); c++) {
            for (int p = 0; p < plane; p++) {
                hwc[p * g.channels() + c] = pixels[offset + c * plane + p];
            }
        }
        return hwc;
    }

    private static Timestamp timestamp(Instant t) {
        Objects.requireNonNull(t, "created");
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private static void requireSegment(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.contains("/")) {
            throw new IllegalArgumentException(what + " must be a non-empty name without '/', got '" + value + "'");
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
        }
        return sb.length() == 0 ? "(empty)" : sb.toString();
    }
}
