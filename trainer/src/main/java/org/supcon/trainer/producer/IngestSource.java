package org.supcon.trainer.producer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.ingest.LabeledImageMapper;
import org.supcon.trainer.images.DatasetException;
import org.supcon.trainer.images.ImageSet;

/**
 * The images one {@code ingest} run publishes, in a fixed order; records are built one at a time
 * on demand, so a folder of large files is never in memory at once.
 */
public final class IngestSource {

    /** Builds record {@code i}. */
    @FunctionalInterface
    private interface RecordBuilder {
        LabeledImage build(int i) throws IOException;
    }

    private final String description;
    private final int size;
    private final IntFunction<String> ids;
    private final RecordBuilder records;

    private IngestSource(String description, int size, IntFunction<String> ids, RecordBuilder records) {
        this.description = description;
        this.size = size;
        this.ids = ids;
        this.records = records;
    }

    /** One line for the console, e.g. {@code fashion-mnist train 60000 images}. */
    public String description() {
        return description;
    }

    /** Number of records. */
    public int size() {
        return size;
    }

    /** The stable id of record {@code i}, known even when the record cannot be built. */
    public String id(int i) {
        return ids.apply(Objects.checkIndex(i, size));
    }

    /**
     * Record {@code i}, {@code 0 <= i < size()}.
     *
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if a file is not an image (the message names it)
     */
    public LabeledImage record(int i) throws IOException {
        return records.build(Objects.checkIndex(i, size));
    }

    /** A named split of an image set: {@code split} is the id segment and the split hint. */
    public record Part(String split, ImageSet images) {
        public Part {
            Objects.requireNonNull(split, "split");
            Objects.requireNonNull(images, "images");
        }
    }

    /**
     * The images of {@code parts}, one part after the other, as raw records of {@code dataset}.
     *
     * @param limit the first {@code limit} images of each part; 0 = all
     */
    public static IngestSource imageSets(String dataset, List<Part> parts, int limit, Instant created) {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(created, "created");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        List<Part> used = parts.stream()
                .map(p -> limit > 0 ? new Part(p.split(), p.images().head(limit)) : p)
                .toList();
        int[] starts = new int[used.size() + 1];
        for (int k = 0; k < used.size(); k++) {
            starts[k + 1] = starts[k] + used.get(k).images().size();
        }
        String description = dataset + " " + String.join(" + ", used.stream()
                .map(p -> p.split() + " " + p.images().size()).toList()) + " images";
        IntFunction<Integer> part = i -> {
            int k = 0;
            while (i >= starts[k + 1]) {
                k++;
            }
            return k;
        };
        return new IngestSource(description, starts[used.size()], i -> {
            int k = part.apply(i);
            return LabeledImageMapper.imageSetId(dataset, used.get(k).split(), i - starts[k]);
        }, i -> {
            int k = part.apply(i);
            return LabeledImageMapper.fromImageSet(used.get(k).images(), i - starts[k], dataset, used.get(k).split(), created);
        });
    }

    /**
     * The image files of a folder {@code root/<label>/**.png|jpg|jpeg}, with the selection rules of
     * {@link org.supcon.trainer.images.ImageFolderReader}: labels are the non-hidden sub-folders,
     * sorted; files in sorted path order; hidden files and folders, other extensions and files
     * directly in {@code root} are skipped.
     *
     * @param limit the first {@code limit} files in that order; 0 = all
     * @throws DatasetException if {@code root} is no folder, has no label folders, or a label folder has no images
     */
    public static IngestSource folder(Path root, int limit, Instant created) throws IOException {
        Objects.requireNonNull(created, "created");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        record File(String label, String relativePath, Path path) {
        }
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root.toAbsolutePath()
                    + (Files.exists(root) ? " is not a directory" : " does not exist"));
        }
        List<Path> labelDirs;
        try (Stream<Path> children = Files.list(root)) {
            labelDirs = children.filter(p -> Files.isDirectory(p) && !hidden(p.getFileName()))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        }
        if (labelDirs.isEmpty()) {
            throw new DatasetException("no label folders in " + root.toAbsolutePath()
                    + ": expected root/<label>/*.png|jpg|jpeg");
        }
        List<File> files = new ArrayList<>();
        for (Path dir : labelDirs) {
            List<Path> images;
            try (Stream<Path> walk = Files.walk(dir)) {
                images = walk.filter(p -> !hiddenPart(dir.relativize(p)))
                        .filter(Files::isRegularFile)
                        .filter(IngestSource::imageExtension)
                        .sorted()
                        .toList();
            }
            if (images.isEmpty()) {
                throw new DatasetException("label folder " + dir.toAbsolutePath() + " contains no .png, .jpg or .jpeg images");
            }
            String label = dir.getFileName().toString();
            for (Path p : images) {
                List<String> parts = new ArrayList<>();
                dir.relativize(p).forEach(part -> parts.add(part.toString()));
                files.add(new File(label, String.join("/", parts), p));
            }
        }
        List<File> used = limit > 0 && limit < files.size() ? files.subList(0, limit) : files;
        long labels = used.stream().map(File::label).distinct().count();
        String description = "folder " + root.toAbsolutePath() + ": " + used.size() + " images of " + labels + " labels";
        return new IngestSource(description, used.size(),
                i -> LabeledImageMapper.folderId(used.get(i).label(), used.get(i).relativePath()),
                i -> {
                    File f = used.get(i);
                    return LabeledImageMapper.fromFile(f.label(), f.relativePath(), Files.readAllBytes(f.path()),
                            f.path().toAbsolutePath().toUri().toString(), created);
                });
    }

    private static boolean hidden(Path name) {
        return name.toString().startsWith(".");
    }

    private static boolean hiddenPart(Path relative) {
        for (Path part : relative) {
            if (hidden(part)) {
                return true;
            }
        }
        return false;
    }

    private static boolean imageExtension(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }
}
