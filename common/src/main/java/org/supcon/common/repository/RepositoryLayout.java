package org.supcon.common.repository;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where things are in the model repository, the directory the trainer publishes into and the
 * inference service serves from:
 *
 * <pre>
 * ROOT/NAME/1/model.onnx
 * ROOT/NAME/1/model-card.json     the {@link ModelCard}
 * ROOT/NAME/1/training.png        optional extra files
 * ROOT/NAME/2/...
 * ROOT/NAME/.tmp-*                a publication in progress (or a crash leftover); never listed
 * </pre>
 *
 * A version directory appears by one atomic rename of a complete directory, so a version listed
 * here (both files present) is never half-written and readers need no locks.
 *
 * @param root the repository root, absolute and normalised
 */
public record RepositoryLayout(Path root) {

    /** The model's file name inside a version directory. */
    public static final String MODEL_FILE = "model.onnx";

    /** The card's file name inside a version directory. */
    public static final String CARD_FILE = "model-card.json";

    /** Prefix of a publication's temporary directory beside the versions. */
    public static final String TEMP_PREFIX = ".tmp-";

    private static final Pattern VERSION_DIR = Pattern.compile("[1-9][0-9]{0,17}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    public RepositoryLayout {
        root = root.toAbsolutePath().normalize();
    }

    /** {@code ROOT/NAME}; the name must be a valid model name. */
    public Path modelDir(String name) {
        return root.resolve(requireModelName(name));
    }

    /** {@code ROOT/NAME/VERSION}, whether it exists or not. */
    public Path versionDir(String name, long version) {
        return modelDir(name).resolve(Long.toString(version));
    }

    /** Complete versions of {@code name}, ascending; empty when the model was never published. */
    public List<Long> versions(String name) throws IOException {
        List<Long> versions = new ArrayList<>();
        for (Path entry : entries(modelDir(name))) {
            long v = versionOf(entry);
            if (v > 0 && isComplete(entry)) {
                versions.add(v);
            }
        }
        versions.sort(null);
        return versions;
    }

    /** The number a directory entry stands for, or -1 if its name is not a version number. */
    public static long versionOf(Path entry) {
        String fileName = entry.getFileName().toString();
        return VERSION_DIR.matcher(fileName).matches() ? Long.parseLong(fileName) : -1;
    }

    /** A real directory (not a link) holding both the model and its card. */
    public static boolean isComplete(Path versionDir) {
        return Files.isDirectory(versionDir, LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(versionDir.resolve(MODEL_FILE))
                && Files.isRegularFile(versionDir.resolve(CARD_FILE));
    }

    /** The entries of a directory; empty when it does not exist. */
    public static List<Path> entries(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException e) {
            // nothing published there yet
        }
        return entries;
    }

    /**
     * The one rule for names that become path components: letters, digits, {@code -}, {@code _}
     * and {@code .}, 1 to 128 characters, not starting with a dot. This excludes path separators,
     * {@code .}, {@code ..}, hidden names and the repository's own {@code .tmp-*} directories.
     */
    public static String requireModelName(String name) {
        return requireSafe("model name", name);
    }

    /** A file published beside the model follows the model-name rule. */
    public static String requireFileName(String name) {
        return requireSafe("file name", name);
    }

    private static String requireSafe(String what, String name) {
        if (name == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (!SAFE_NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("invalid " + what + " '" + name + "': use 1 to 128 letters, digits,"
                    + " '-', '_' or '.', not starting with '.' (no path separators, no '..')");
        }
        return name;
    }
}
