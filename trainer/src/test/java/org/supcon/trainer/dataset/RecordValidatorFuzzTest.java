package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import java.util.Arrays;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.Validation.Accepted;
import org.supcon.trainer.dataset.Validation.Rejected;

/**
 * Coverage-guided fuzzing of {@link RecordValidator#validate(byte[])}: the {@code LabeledImage}
 * protobuf parser, the PNG/JPEG header checks and decoders, the raw path and the conversion to the
 * dataset geometry. Invariant: never throws; either {@link Accepted} with exactly the target
 * geometry's pixel count, or {@link Rejected} with a reason and a message.
 *
 * <p>The first input byte picks what the rest is, so that the fuzzer reaches the image decoders
 * without first having to build a valid protobuf around them: {@code 0}/{@code 3} the record value
 * as it arrives from Kafka, {@code 1} an image file wrapped in a valid ENCODED record, {@code 2}
 * {@code width, height, channels} then the pixels of a RAW_U8 record. The seed corpus and every
 * finding are in {@code RecordValidatorFuzzTestInputs/}. In {@code verify} the {@code fuzz-trainer}
 * Surefire execution fuzzes this for a bounded time ({@code JAZZER_FUZZ=1}).
 */
class RecordValidatorFuzzTest {

    static final ImageGeometry TARGET = new ImageGeometry(1, 28, 28);
    /** The production byte limit and a smaller dimension limit (the check is the same; executions stay fast). */
    static final RecordValidator VALIDATOR = new RecordValidator(new ValidationLimits(4 << 20, 512, 512, TARGET));

    @FuzzTest(maxDuration = "25s")
    void validateNeverThrowsAndAcceptsOnlyTheTargetGeometry(byte[] input) {
        byte[] value = value(input);
        Validation v = VALIDATOR.validate(value);
        assertNotNull(v);
        if (v instanceof Accepted a) {
            assertEquals(TARGET.channels() * TARGET.height() * TARGET.width(), a.sample().pixels().length);
            assertFalse(a.sample().id().isBlank());
            assertFalse(a.sample().label().isBlank());
        } else {
            Rejected r = (Rejected) v;
            assertNotNull(r.reason());
            assertNotNull(r.message());
            assertFalse(r.message().isBlank());
        }
    }

    /** The record value the fuzz input stands for (see the class comment). */
    static byte[] value(byte[] input) {
        if (input.length == 0) {
            return input;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        switch (input[0] & 3) {
            case 1:
                return LabeledImage.newBuilder().setId("fuzz/encoded").setLabel("Bag")
                        .setEncoding(ImageEncoding.IMAGE_ENCODING_ENCODED)
                        .setImage(ByteString.copyFrom(rest)).build().toByteArray();
            case 2:
                if (rest.length < 3) {
                    return rest;
                }
                return LabeledImage.newBuilder().setId("fuzz/raw").setLabel("Bag")
                        .setEncoding(ImageEncoding.IMAGE_ENCODING_RAW_U8)
                        .setWidth(rest[0] & 0xFF).setHeight(rest[1] & 0xFF).setChannels(rest[2] & 0xFF)
                        .setImage(ByteString.copyFrom(rest, 3, rest.length - 3)).build().toByteArray();
            default:
                return rest;
        }
    }
}
