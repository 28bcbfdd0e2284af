package org.supcon.inference.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;

/**
 * The real fixtures of the API tests: the exported test models (two versions) and Fashion-MNIST
 * test images (src/test/resources, written by dev/make-test-models), plus an in-process ONNX
 * Runtime session on the same model file as the reference the served answers must equal.
 */
public final class Fixtures {

    public static final String MODEL = "fashion-mnist-supcon";
    public static final Path RESOURCES = Path.of("src/test/resources");
    public static final Path IMAGES = RESOURCES.resolve("images");
    public static final int SIDE = 28;
    public static final int PIXELS = SIDE * SIDE;

    private Fixtures() {
    }

    /** A gRPC client interceptor that sends {@code authorization: Bearer <token>} with every call. */
    public static io.grpc.ClientInterceptor bearer(String token) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    public static Path modelFile(long version) {
        return RESOURCES.resolve("models").resolve(MODEL).resolve(Long.toString(version)).resolve("model.onnx");
    }

    public static byte[] bytes(String image) {
        try {
            return Files.readAllBytes(IMAGES.resolve(image));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 8-bit gray pixels of test image {@code t10k-0000i.png}, row-major. */
    public static byte[] grayPixels(int index) {
        try {
            BufferedImage img = ImageIO.read(IMAGES.resolve(String.format("t10k-%05d.png", index)).toFile());
            byte[] out = new byte[PIXELS];
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    out[y * SIDE + x] = (byte) img.getRaster().getSample(x, y, 0);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Test images {@code 0..n-1} as float pixels 0..255, NCHW. */
    public static float[] batch(int n) {
        float[] out = new float[n * PIXELS];
        for (int i = 0; i < n; i++) {
            byte[] px = grayPixels(i % 20);
            for (int j = 0; j < PIXELS; j++) {
                out[i * PIXELS + j] = px[j] & 0xFF;
            }
        }
        return out;
    }

    /** The three outputs of {@code version} for {@code images} computed by a plain OrtSession. */
    public static Map<String, float[]> reference(long version, float[] images, int n) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(modelFile(version).toString(), new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {n, 1, SIDE, SIDE});
                OrtSession.Result result = session.run(Map.of("images", in))) {
            Map<String, float[]> out = new HashMap<>();
            for (String name : new String[] {"embedding", "logits", "probabilities"}) {
                float[][] rows = (float[][]) result.get(name).orElseThrow().getValue();
                float[] flat = new float[rows.length * rows[0].length];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
                }
                out.put(name, flat);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void assertClose(float[] expected, float[] actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-4f) {
                org.junit.jupiter.api.Assertions.fail("element " + i + ": expected " + expected[i] + " got " + actual[i]);
            }
        }
    }
}
