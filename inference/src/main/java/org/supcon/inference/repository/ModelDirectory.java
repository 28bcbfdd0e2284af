package org.supcon.inference.repository;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the versions of one model in the model repository, {@code ROOT/NAME/VERSION/}. The trainer
 * makes a version appear by one atomic rename of a complete directory, so a complete entry here is
 * never half-written; temporary directories ({@code .tmp-*}) are not version numbers and are skipped.
 */
public final class ModelDirectory {

    private static final Pattern VERSION_DIR = Pattern.compile("[1-9][0-9]{0,17}");

    private final Path root;
    private final String name;

    public ModelDirectory(Path root, String name) {
        this.root = root.toAbsolutePath().normalize();
        this.name = name;
    }

    public Path dir() {
        return root.resolve(name);
    }

    public String name() {
        return name;
    }

    /** Complete versions, newest first; empty when the model directory does not exist (yet). */
    public List<RepositoryVersion> versionsNewestFirst() throws IOException {
        List<RepositoryVersion> versions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir())) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                if (VERSION_DIR.matcher(fileName).matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    RepositoryVersion v = new RepositoryVersion(name, Long.parseLong(fileName), entry);
                    if (Files.isRegularFile(v.modelFile()) && Files.isRegularFile(v.cardFile())) {
                        versions.add(v);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        versions.sort(Comparator.comparingLong(RepositoryVersion::version).reversed());
        return versions;
    }
}
