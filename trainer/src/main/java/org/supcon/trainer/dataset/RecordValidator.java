package org.supcon.trainer.dataset;

import com.google.protobuf.InvalidProtocolBufferException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.Validation.Accepted;
import org.supcon.trainer.dataset.Validation.Reason;
import org.supcon.trainer.dataset.Validation.Rejected;
import org.supcon.trainer.ingest.LabeledImageMapper;

/**
 * Turns the value of a {@code labeled-images} record (a serialized {@link LabeledImage}) into a
 * {@link Sample} of the dataset geometry, or says why it cannot; never throws for bad input.
 *
 * <p>Checks, in order (the first failure decides the {@link Reason}):
 * <ol>
 *   <li>the value is at most {@code maxBytes} and parses as a {@code LabeledImage};
 *   <li>id and label are non-blank, at most {@value #MAX_TEXT_LENGTH} characters, free of control
 *       characters, the label without surrounding whitespace; source at most
 *       {@value #MAX_SOURCE_LENGTH} characters without control characters; split empty,
 *       {@code train}, {@code validation} or {@code test};
 *   <li>{@code RAW_U8}: width and height positive, channels 1 or 3, within the dimension limits,
 *       and exactly {@code width * height * channels} bytes (HWC interleaved);
 *   <li>{@code ENCODED}: a PNG or JPEG signature, dimensions read from the header within the limits
 *       before anything is decompressed, declared width/height/channels (if set) matching the file,
 *       then a full decode with {@code javax.imageio} (works headless).
 * </ol>
 * Accepted images are converted to the target geometry: RGB to gray by BT.601 luma, gray to RGB
 * by replication, other sizes by area averaging then bilinear resampling. An image already in the
 * target geometry keeps its exact bytes.
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordValidator {

    /** Longest id or label, in UTF-16 characters. */
    public static final int MAX_TEXT_LENGTH = 512;
    /** Longest source, in UTF-16 characters. */
    public static final int MAX_SOURCE_LENGTH = 1024;
    /** Split hints the contract allows; empty means the trainer decides. */
    public static final Set<String> SPLITS = Set.of("", "train", "validation", "test");

    private final ValidationLimits limits;

    public RecordValidator(ValidationLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public ValidationLimits limits() {
        return limits;
    }

    /** Thrown inside {@link #validate} to leave at the first failed check; checked so that decoder catch blocks miss it. */
    private static final class Reject extends Exception {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        Reject(Reason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /**
     * Validates and converts one record value.
     *
     * @param value the Kafka record value; null (a tombstone) is rejected as malformed
     */
    public Validation validate(byte[] value) {
        try {
            return new Accepted(accept(value));
        } catch (Reject r) {
            return new Rejected(r.reason, r.getMessage());
        }
    }

    private Sample accept(byte[] value) throws Reject {
        if (value == null) {
            throw new Reject(Reason.MALFORMED_RECORD, "record has no value (a tombstone); deleting images is not supported");
        }
        if (value.length > limits.maxBytes()) {
            throw new Reject(Reason.TOO_LARGE, "record is " + value.length + " bytes, the limit is " + limits.maxBytes());
        }
        LabeledImage record;
        try {
            record = LabeledImage.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new Reject(Reason.MALFORMED_RECORD,
                    "value of " + value.length + " bytes is not a LabeledImage protobuf: " + e.getMessage());
        }
        checkText("id", record.getId(), Reason.MISSING_ID, Reason.INVALID_ID);
        checkText("label", record.getLabel(), Reason.MISSING_LABEL, Reason.INVALID_LABEL);
        if (!record.getLabel().equals(record.getLabel().strip())) {
            throw new Reject(Reason.INVALID_LABEL, "label '" + record.getLabel() + "' has leading or trailing whitespace");
        }
        checkSource(record.getSource());
        if (!SPLITS.contains(record.getSplit())) {
            throw new Reject(Reason.INVALID_METADATA, "split is '" + abbreviate(record.getSplit())
                    + "', expected train, validation, test or empty");
        }
        byte[] pixels = switch (record.getEncoding()) {
            case IMAGE_ENCODING_RAW_U8 -> raw(record);
            case IMAGE_ENCODING_ENCODED -> encoded(record);
            default -> throw new Reject(Reason.UNKNOWN_ENCODING, "encoding is " + record.getEncoding()
                    + " (value " + record.getEncodingValue() + "), expected IMAGE_ENCODING_ENCODED or IMAGE_ENCODING_RAW_U8");
        };
        return new Sample(record.getId(), record.getLabel(), pixels, record.getSource(), record.getSplit());
    }

    private static void checkText(String field, String text, Reason missing, Reason invalid) throws Reject {
        if (text.isEmpty()) {
            throw new Reject(missing, field + " is empty");
        }
        if (text.isBlank()) {
            throw new Reject(missing, field + " is blank (" + text.length() + " whitespace characters)");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new Reject(invalid, field + " is " + text.length() + " characters, the limit is " + MAX_TEXT_LENGTH);
        }
        int control = firstControl(text);
        if (control >= 0) {
            throw new Reject(invalid, field + " contains control character U+"
                    + String.format(Locale.ROOT, "%04X", (int) text.charAt(control)) + " at index " + control);
        }
    }

    private static void checkSource(String source) throws Reject {
        if (source.length() > MAX_SOURCE_LENGTH) {
            throw new Reject(Reason.INVALID_METADATA,
                    "source is " + source.length() + " characters, the limit is " + MAX_SOURCE_LENGTH);
        }
        int control = firstControl(source);
        if (control >= 0) {
            throw new Reject(Reason.INVALID_METADATA, "source contains control character U+"
                    + String.format(Locale.ROOT, "%04X", (int) source.charAt(control)) + " at index " + control);
        }
    }

    private static int firstControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private byte[] raw(LabeledImage record) throws Reject {
        // uint32 on the wire: values above 2^31 arrive negative in Java.
        long w = Integer.toUnsignedLong(record.getWidth());
        long h = Integer.toUnsignedLong(record.getHeight());
        long c = Integer.toUnsignedLong(record.getChannels());
        if (w == 0 || h == 0) {
            throw new Reject(Reason.BAD_GEOMETRY, "raw image declares " + w + "x" + h + "x" + c
                    + ": width and height must be positive");
        }
        if (c != 1 && c != 3) {
            throw new Reject(Reason.BAD_GEOMETRY, "raw image declares " + c + " channels, expected 1 or 3");
        }
        checkDimensions(w, h);
        long expected = w * h * c;
        int carried = record.getImage().size();
        if (carried != expected) {
            throw new Reject(Reason.RAW_SIZE_MISMATCH, "raw image declares " + w + "x" + h + "x" + c + " = " + expected
                    + " bytes but carries " + carried);
        }
        ImageGeometry own = new ImageGeometry((int) c, (int) h, (int) w);
        return Pixels.convert(LabeledImageMapper.rawPixelsChw(record), own, limits.target());
    }

    private void checkDimensions(long w, long h) throws Reject {
        if (w > limits.maxWidth() || h > limits.maxHeight()) {
            throw new Reject(Reason.TOO_LARGE, "image is " + w + "x" + h + ", the limit is "
                    + limits.maxWidth() + "x" + limits.maxHeight());
        }
    }

    private byte[] encoded(LabeledImage record) throws Reject {
        byte[] bytes = record.getImage().toByteArray();
        if (bytes.length == 0) {
            throw new Reject(Reason.UNDECODABLE_IMAGE, "encoded image is empty");
        }
        String format = LabeledImageMapper.imageFormat(bytes);
        if (format == null) {
            throw new Reject(Reason.UNDECODABLE_IMAGE, "encoded image of " + bytes.length
                    + " bytes is neither PNG nor JPEG (starts " + hex(bytes) + ")");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new Reject(Reason.UNDECODABLE_IMAGE, "no ImageIO reader for " + format);
        }
        ImageReader reader = readers.next();
        // Memory-backed on purpose: ImageIO.createImageInputStream may spool to a temp file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            checkDimensions(w, h);
            checkDeclared(record, w, h);
            BufferedImage image = reader.read(0);
            int channels = Pixels.channels(image.getColorModel());
            if (record.getChannels() != 0 && record.getChannels() != channels) {
                throw new Reject(Reason.BAD_GEOMETRY, "record declares " + Integer.toUnsignedLong(record.getChannels())
                        + " channels but the " + format.toUpperCase(Locale.ROOT) + " has " + channels);
            }
            return Pixels.convert(Pixels.planes(image), new ImageGeometry(channels, h, w), limits.target());
        } catch (IOException | RuntimeException e) {
            // Decoders report damaged data as IIOException and, for some inputs, as runtime exceptions.
            throw new Reject(Reason.UNDECODABLE_IMAGE, format.toUpperCase(Locale.ROOT) + " of " + bytes.length
                    + " bytes cannot be decoded: " + describe(e));
        } finally {
            reader.dispose();
        }
    }

    private static void checkDeclared(LabeledImage record, int w, int h) throws Reject {
        long dw = Integer.toUnsignedLong(record.getWidth());
        long dh = Integer.toUnsignedLong(record.getHeight());
        if ((dw != 0 && dw != w) || (dh != 0 && dh != h)) {
            throw new Reject(Reason.BAD_GEOMETRY, "record declares " + dw + "x" + dh + " but the image is " + w + "x" + h);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
            sb.append(": ").append(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
        }
        return sb.toString();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xFF));
        }
        return sb.toString();
    }
}
