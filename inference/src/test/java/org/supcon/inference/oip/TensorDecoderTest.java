package org.supcon.inference.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class TensorDecoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestModel model = TestModel.gray(2);
    private final long[] shape = {2, 1, 2, 2};
    private final ImagesInput fp32 = ImagesInput.check(model, 4, "images", "FP32", shape);
    private final ImagesInput uint8 = ImagesInput.check(model, 4, "images", "UINT8", shape);
    private final float[] pixels = {0, 1, 2, 255, 10.5f, 20, 30, 40};

    @Test
    void rawFp32IsLittleEndian() {
        ByteBuffer le = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (float p : pixels) {
            le.putFloat(p);
        }
        assertArrayEquals(pixels, TensorDecoder.raw(fp32, le.flip()));
        // the same bytes read big-endian would be other numbers
        ByteBuffer be = ByteBuffer.allocate(32).order(ByteOrder.BIG_ENDIAN);
        for (float p : pixels) {
            be.putFloat(p);
        }
        assertTrue(TensorDecoder.raw(fp32, be.flip())[1] != 1f);
    }

    @Test
    void rawUint8IsUnsigned() {
        byte[] bytes = {0, 1, 2, (byte) 255, (byte) 128, 20, 30, 40};
        assertArrayEquals(new float[] {0, 1, 2, 255, 128, 20, 30, 40}, TensorDecoder.raw(uint8, ByteBuffer.wrap(bytes)));
    }

    @Test
    void rawOfTheWrongLengthNamesBothSizes() {
        OipException e = assertThrows(OipException.class, () -> TensorDecoder.raw(fp32, ByteBuffer.allocate(31)));
        assertTrue(e.getMessage().contains("31 bytes") && e.getMessage().contains("need 32"), e.getMessage());
        assertThrows(OipException.class, () -> TensorDecoder.raw(uint8, ByteBuffer.allocate(32)));
    }

    @Test
    void typedContents() {
        assertArrayEquals(pixels, TensorDecoder.fp32(fp32, List.of(0f, 1f, 2f, 255f, 10.5f, 20f, 30f, 40f)));
        assertArrayEquals(new float[] {0, 1, 2, 255, 9, 20, 30, 40},
                TensorDecoder.uint8(uint8, List.of(0, 1, 2, 255, 9, 20, 30, 40)));
        OipException count = assertThrows(OipException.class, () -> TensorDecoder.fp32(fp32, List.of(1f, 2f)));
        assertTrue(count.getMessage().contains("fp32_contents holds 2 values") && count.getMessage().contains("need 8"),
                count.getMessage());
        OipException range = assertThrows(OipException.class,
                () -> TensorDecoder.uint8(uint8, List.of(0, 1, 2, 256, 9, 20, 30, 40)));
        assertTrue(range.getMessage().contains("element 3 is 256"), range.getMessage());
        // a uint32 over 2^31 arrives as a negative int
        OipException big = assertThrows(OipException.class,
                () -> TensorDecoder.uint8(uint8, List.of(-1, 1, 2, 3, 9, 20, 30, 40)));
        assertTrue(big.getMessage().contains("4294967295"), big.getMessage());
    }

    @Test
    void jsonFlatAndNestedGiveTheSameValues() throws Exception {
        JsonNode flat = JSON.readTree("[0, 1, 2, 255, 10.5, 20, 30, 40]");
        JsonNode nested = JSON.readTree("[[[[0, 1], [2, 255]]], [[[10.5, 20], [30, 40]]]]");
        assertArrayEquals(pixels, TensorDecoder.json(fp32, shape, flat));
        assertArrayEquals(pixels, TensorDecoder.json(fp32, shape, nested));
    }

    @Test
    void jsonNestingMustFollowTheShape() throws Exception {
        OipException ragged = assertThrows(OipException.class, () -> TensorDecoder.json(fp32, shape,
                JSON.readTree("[[[[0, 1], [2, 255]]], [[[10.5, 20], [30]]]]")));
        assertTrue(ragged.getMessage().contains("1 entries at depth 3"), ragged.getMessage());
        OipException shallow = assertThrows(OipException.class, () -> TensorDecoder.json(fp32, shape,
                JSON.readTree("[[0, 1, 2, 255], [10.5, 20, 30, 40]]")));
        assertTrue(shallow.getMessage().contains("depth 1"), shallow.getMessage());
        OipException flatCount = assertThrows(OipException.class,
                () -> TensorDecoder.json(fp32, shape, JSON.readTree("[1, 2, 3]")));
        assertTrue(flatCount.getMessage().contains("data holds 3 values"), flatCount.getMessage());
    }

    @Test
    void jsonElementsMustBeNumbersAndUint8Integers() throws Exception {
        OipException text = assertThrows(OipException.class,
                () -> TensorDecoder.json(fp32, shape, JSON.readTree("[0, 1, \"2\", 3, 4, 5, 6, 7]")));
        assertTrue(text.getMessage().contains("element 2 is string"), text.getMessage());
        OipException fraction = assertThrows(OipException.class,
                () -> TensorDecoder.json(uint8, shape, JSON.readTree("[0, 1, 2.5, 3, 4, 5, 6, 7]")));
        assertTrue(fraction.getMessage().contains("element 2"), fraction.getMessage());
        assertThrows(OipException.class, () -> TensorDecoder.json(uint8, shape, JSON.readTree("[0, 1, 2, 300, 4, 5, 6, 7]")));
        assertThrows(OipException.class, () -> TensorDecoder.json(fp32, shape, JSON.readTree("{\"a\": 1}")));
        assertThrows(OipException.class, () -> TensorDecoder.json(fp32, shape, null));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 255},
                TensorDecoder.json(uint8, shape, JSON.readTree("[0, 1, 2, 3.0, 4, 5, 6, 255]")));
    }
}
