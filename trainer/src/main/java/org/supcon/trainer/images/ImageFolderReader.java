package org.supcon.trainer.images;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a labeled image folder: {@code root/<label>/**.png|jpg|jpeg} (extensions case-insensitive,
 * sub-folders of a label folder included), like torchvision's {@code ImageFolder}.
 *
 * <ul>
 *   <li>Labels: the names of the non-hidden sub-directories of {@code root}, sorted; class id =
 *       position in that order. Files are read in sorted path order, so the result is stable.
 *   <li>Channels: 1 if every image is grayscale (a gray colour model, or RGB with r == g == b at
 *       every pixel), else 3, with gray images replicated to three channels. Alpha is dropped.
 *   <li>Geometry: the size of the first image (first label, first file); images of any other size
 *       are resized to it with {@link Bilinear} (no antialiasing, so keep sizes similar).
 *   <li>Ignored: hidden files and directories (name starting with {@code .}), other extensions,
 *       files directly in {@code root}.
 * </ul>
 *
 * <p>Everything is decoded into memory; meant for folders of thousands of small images.
 */
public final class ImageFolderReader {

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private ImageFolderReader() {
    }

    /** One decoded image: {@code gray} ? 1 plane : 3 planes (R, G, B) of {@code height * width}. */
    private record Decoded(int height, int width, boolean gray, byte[] planes) {
    }

    /**
     * Reads every image under {@code root}.
     *
     * @throws DatasetException if {@code root} is missing, has no label folders, a label folder has
     *     no images, or an image cannot be decoded (the message names the file)
     */
    public static ImageSet read(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root.toAbsolutePath()
                    + (Files.exists(root) ? " is not a directory" : " does not exist"));
        }
        List<Path> labelDirs;
        try (Stream<Path> children = Files.list(root)) {
            labelDirs = children
                    .filter(p -> Files.isDirectory(p) && !isHidden(p))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        }
        if (labelDirs.isEmpty()) {
            throw new DatasetException("no label folders in " + root.toAbsolutePath()
                    + ": expected root/<label>/*.png|jpg|jpeg");
        }
        List<String> labelNames = new ArrayList<>();
        List<Decoded> decoded = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : labelDirs) {
            List<Path> files = imageFiles(dir);
            if (files.isEmpty()) {
                throw new DatasetException("label folder " + dir.toAbsolutePath()
                        + " contains no .png, .jpg or .jpeg images");
            }
            int label = labelNames.size();
            labelNames.add(dir.getFileName().toString());
            for (Path file : files) {
                decoded.add(decode(file));
                labels.add(label);
            }
        }
        return assemble(labelNames, decoded, labels);
    }

    private static List<Path> imageFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk
                    .filter(p -> !hasHiddenPart(dir.relativize(p)))
                    .filter(Files::isRegularFile)
                    .filter(ImageFolderReader::hasImageExtension)
                    .sorted()
                    .toList();
        }
    }

    private static boolean isHidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static boolean hasHiddenPart(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasImageExtension(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private static Decoded decode(Path file) throws DatasetException {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // Decoders report corrupt data as IOException or, for some damaged inputs, as runtime errors.
            throw new DatasetException("corrupt or unreadable image " + file.toAbsolutePath() + ": " + e, e);
        }
        if (image == null) {
            throw new DatasetException("cannot decode image " + file.toAbsolutePath()
                    + ": not a PNG or JPEG that ImageIO can read");
        }
        try {
            return toPlanes(image);
        } catch (RuntimeException e) {
            throw new DatasetException("cannot convert image " + file.toAbsolutePath() + ": " + e, e);
        }
    }

    private static Decoded toPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel cm = image.getColorModel();
        if (GraySamples.isGray(cm)) {
            return new Decoded(h, w, true, GraySamples.plane(image));
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        boolean gray = true;
        for (int p : argb) {
            int r = (p >> 16) & 0xFF;
            if (r != ((p >> 8) & 0xFF) || r != (p & 0xFF)) {
                gray = false;
                break;
            }
        }
        int plane = h * w;
        byte[] planes = new byte[gray ? plane : 3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            planes[i] = (byte) (p >> 16);
            if (!gray) {
                planes[plane + i] = (byte) (p >> 8);
                planes[2 * plane + i] = (byte) p;
            }
        }
        return new Decoded(h, w, gray, planes);
    }

    private static ImageSet assemble(List<String> labelNames, List<Decoded> decoded, List<Integer> labels)
            throws DatasetException {
        boolean allGray = decoded.stream().allMatch(Decoded::gray);
        Decoded first = decoded.get(0);
        ImageGeometry geometry = new ImageGeometry(allGray ? 1 : 3, first.height(), first.width());
        int p = geometry.pixels();
        if ((long) p * decoded.size() > Integer.MAX_VALUE - 8) {
            throw new DatasetException(decoded.size() + " images of " + geometry + " do not fit in one array");
        }
        byte[] pixels = new byte[p * decoded.size()];
        int[] labelArray = new int[decoded.size()];
        Bilinear bilinear = new Bilinear();
        float[] resized = null;
        for (int i = 0; i < decoded.size(); i++) {
            Decoded d = decoded.get(i);
            labelArray[i] = labels.get(i);
            byte[] planes = d.planes();
            ImageGeometry own = new ImageGeometry(d.gray() ? 1 : 3, d.height(), d.width());
            if (d.height() != geometry.height() || d.width() != geometry.width()) {
                if (resized == null) {
                    resized = new float[3 * geometry.planeSize()];
                }
                bilinear.prepare(0, 0, d.height(), d.width(), geometry.height(), geometry.width());
                bilinear.resample(planes, 0, own, resized, 0);
                planes = new byte[own.channels() * geometry.planeSize()];
                for (int k = 0; k < planes.length; k++) {
                    planes[k] = (byte) Math.round(resized[k]);
                }
            }
            int plane = geometry.planeSize();
            int offset = i * p;
            for (int c = 0; c < geometry.channels(); c++) {
                int from = d.gray() ? 0 : c * plane;
                System.arraycopy(planes, from, pixels, offset + c * plane, plane);
            }
        }
        return new ImageSet(geometry, labelNames, pixels, labelArray);
    }
}
