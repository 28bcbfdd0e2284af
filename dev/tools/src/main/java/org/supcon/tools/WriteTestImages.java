package org.supcon.tools;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Writes the first 20 Fashion-MNIST test images as PNG (gray, 28x28) and the first 10 also as
 * JPEG, plus index 0 as an RGB PNG upscaled to 56x56; and labels.csv (file, index, label).
 * The inference tests' images (dev/make-test-models runs it).
 * Usage: {@code test-images t10k-images.gz t10k-labels.gz OUT_DIR}
 */
public final class WriteTestImages {

    static final String[] LABELS = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    private WriteTestImages() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: test-images T10K_IMAGES_GZ T10K_LABELS_GZ OUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        try (DataInputStream images = new DataInputStream(new GZIPInputStream(new FileInputStream(args[0])));
                DataInputStream labels = new DataInputStream(new GZIPInputStream(new FileInputStream(args[1])))) {
            if (images.readInt() != 2051 || labels.readInt() != 2049) {
                throw new IOException("not IDX image/label files");
            }
            images.readInt();
            int h = images.readInt();
            int w = images.readInt();
            labels.readInt();
            List<String> csv = new ArrayList<>(List.of("file,index,label"));
            for (int i = 0; i < 20; i++) {
                BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                byte[] px = new byte[w * h];
                images.readFully(px);
                gray.getRaster().setDataElements(0, 0, w, h, px);
                String label = LABELS[labels.readUnsignedByte()];
                String base = String.format("t10k-%05d", i);
                write(gray, "png", out.resolve(base + ".png"), csv, i, label);
                if (i < 10) {
                    write(gray, "jpg", out.resolve(base + ".jpg"), csv, i, label);
                }
                if (i == 0) {
                    BufferedImage rgb = new BufferedImage(2 * w, 2 * h, BufferedImage.TYPE_INT_RGB);
                    Graphics2D g = rgb.createGraphics();
                    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                    g.drawImage(gray, 0, 0, 2 * w, 2 * h, null);
                    g.dispose();
                    write(rgb, "png", out.resolve(base + "-rgb-56x56.png"), csv, i, label);
                }
            }
            Files.write(out.resolve("labels.csv"), csv);
        }
    }

    static void write(BufferedImage image, String format, Path file, List<String> csv, int index, String label)
            throws IOException {
        if (!ImageIO.write(image, format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
        csv.add(file.getFileName() + "," + index + "," + label);
    }
}
