package org.supcon.inference.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed fixtures (src/test/resources, made by dev/make-test-models): two real versions of
 * fashion-mnist-supcon, a wrong-inputs model and Fashion-MNIST test images; and a repository in a
 * temporary directory that tests publish into the way the trainer does (complete directory, one
 * atomic rename).
 */
public final class TestModels {

    public static final String NAME = "fashion-mnist-supcon";

    private TestModels() {
    }

    public static byte[] resource(String path) {
        try (InputStream in = TestModels.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + path + " is missing: run dev/make-test-models");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] model(long version) {
        return resource("models/" + NAME + "/" + version + "/model.onnx");
    }

    public static String card(long version) {
        return new String(resource("models/" + NAME + "/" + version + "/model-card.json"));
    }

    /** A new repository root holding version 1 only. */
    public static Path repositoryWithVersion1() throws IOException {
        Path root = Files.createTempDirectory("supcon-inference-models-");
        publish(root, 1, model(1), card(1));
        return root;
    }

    /**
     * Publishes {@code model} as {@code version} with {@code cardJson}'s fields but the version,
     * sha256 and size rewritten to match (unless {@code keepCardChecksum}): written in a temp
     * directory, then renamed into place atomically.
     */
    public static Path publish(Path root, long version, byte[] model, String cardJson, boolean keepCardChecksum)
            throws IOException {
        return publish(root, version, model, cardJson, keepCardChecksum, java.util.Map.of());
    }

    /** As {@link #publish(Path, long, byte[], String, boolean)}, with more files (a vector index) in the version directory. */
    public static Path publish(Path root, long version, byte[] model, String cardJson, boolean keepCardChecksum,
            java.util.Map<String, byte[]> files) throws IOException {
        String card = cardJson.replaceFirst("\"version\" : \\d+", "\"version\" : " + version);
        if (!keepCardChecksum) {
            card = card.replaceFirst("\"sha256\" : \"[0-9a-f]+\"", "\"sha256\" : \"" + sha256(model) + "\"")
                    .replaceFirst("\"sizeBytes\" : \\d+", "\"sizeBytes\" : " + model.length);
        }
        Path modelDir = Files.createDirectories(root.resolve(NAME));
        Path temp = Files.createTempDirectory(modelDir, ".tmp-");
        Files.write(temp.resolve("model.onnx"), model);
        Files.writeString(temp.resolve("model-card.json"), card);
        for (java.util.Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(temp.resolve(f.getKey()), f.getValue());
        }
        Path target = modelDir.resolve(Long.toString(version));
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    public static Path publish(Path root, long version, byte[] model, String cardJson) throws IOException {
        return publish(root, version, model, cardJson, false);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A test image and its true label, from images/labels.csv. */
    public record LabeledImage(String file, int index, String label) {
        public byte[] bytes() {
            return resource("images/" + file);
        }
    }

    public static List<LabeledImage> images() {
        Pattern line = Pattern.compile("([^,]+),(\\d+),(.+)");
        return new String(resource("images/labels.csv")).lines().skip(1).map(l -> {
            Matcher m = line.matcher(l);
            if (!m.matches()) {
                throw new IllegalStateException("bad line in labels.csv: " + l);
            }
            return new LabeledImage(m.group(1), Integer.parseInt(m.group(2)), m.group(3));
        }).toList();
    }

    /** A PNG signature and an IHDR chunk declaring {@code width x height} gray pixels, without any pixel data. */
    public static byte[] pngHeader(int width, int height) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes()).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        return java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }
}
