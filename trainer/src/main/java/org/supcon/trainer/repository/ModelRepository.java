package org.supcon.trainer.repository;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.io.Durable;

/**
 * Publishes model versions into the {@link RepositoryLayout}: {@code root/<name>/<version>/model.onnx}
 * with {@code model-card.json} beside it and optional extra files (a plot, a summary).
 *
 * <p>Versions are positive integers, consecutive per writer and only increasing. A version
 * directory appears in one atomic {@code rename(2)} of a fully written, fsync'ed temporary
 * directory {@code root/<name>/.tmp-*}, so a reader sees either the whole version or none of it,
 * and a crash at any point leaves no partial version. Concurrent writers, in this process or
 * others sharing the directory, coordinate through the rename alone: renaming a directory onto
 * an existing non-empty one fails, and the loser retries with the next number. Published files
 * are never written again and are made read-only.
 *
 * <p>Every number-named entry counts as taken when picking the next version, complete or not,
 * so a number is never reused; only complete ones (both files present) are listed.
 *
 * <p>Thread-safe; holds no state but the root.
 */
public final class ModelRepository {

    static final Duration STALE_TEMP_AGE = Duration.ofHours(1);
    static final int MAX_ATTEMPTS = 100;

    private final RepositoryLayout layout;
    private final Clock clock;
    private final PublishHooks hooks;

    /** Opens the repository and removes temp directories left by crashed writers an hour ago or more. */
    public ModelRepository(Path root) {
        this(root, Clock.systemUTC(), PublishHooks.NONE);
    }

    ModelRepository(Path root, Clock clock, PublishHooks hooks) {
        this.layout = new RepositoryLayout(root);
        this.clock = clock;
        this.hooks = hooks;
        removeStaleTempDirs();
    }

    public Path root() {
        return layout.root();
    }

    /** Complete versions of {@code name}, ascending; empty when the model was never published. */
    public List<Long> versions(String name) throws IOException {
        return layout.versions(name);
    }

    public Optional<PublishedVersion> latest(String name) throws IOException {
        List<Long> versions = versions(name);
        return versions.isEmpty() ? Optional.empty() : get(name, versions.get(versions.size() - 1));
    }

    /**
     * The version if it is complete; empty if missing or incomplete.
     *
     * @throws IOException if the card cannot be read or does not match its directory
     */
    public Optional<PublishedVersion> get(String name, long version) throws IOException {
        Path dir = layout.versionDir(name, version);
        if (version < 1 || !RepositoryLayout.isComplete(dir)) {
            return Optional.empty();
        }
        ModelCard card = ModelCard.read(dir.resolve(RepositoryLayout.CARD_FILE));
        if (card.version() != version || !card.modelName().equals(name)) {
            throw new IOException("model card in " + dir + " says " + card.modelName() + " v" + card.version()
                    + ", expected " + name + " v" + version);
        }
        return Optional.of(new PublishedVersion(name, version, dir, dir.resolve(RepositoryLayout.MODEL_FILE), card));
    }

    /** Same as {@link #publish(byte[], ModelCardDraft, Map)} without extra files. */
    public PublishedVersion publish(byte[] onnxModel, ModelCardDraft draft) throws IOException {
        return publish(onnxModel, draft, Map.of());
    }

    /**
     * Publishes the next version of {@code draft.modelName()}.
     *
     * @param onnxModel the serialized ONNX model, non-empty
     * @param draft the card without version, checksum, size and time
     * @param extraFiles file name in the version directory to the source file to copy, e.g.
     *     {@code "training.png" -> run/training.png}; names follow the model-name rule and may not
     *     be {@value RepositoryLayout#MODEL_FILE} or {@value RepositoryLayout#CARD_FILE}
     * @return the new version, as {@link #get} would return it
     * @throws IOException if writing fails or {@value #MAX_ATTEMPTS} version numbers in a row were
     *     taken by other writers; no version is left behind unless the rename happened
     */
    public PublishedVersion publish(byte[] onnxModel, ModelCardDraft draft, Map<String, Path> extraFiles)
            throws IOException {
        if (onnxModel == null || onnxModel.length == 0) {
            throw new IllegalArgumentException("ONNX model bytes for " + draft.modelName() + " are empty");
        }
        return publish(version -> onnxModel, draft, extraFiles);
    }

    /**
     * Publishes the next version, asking {@code modelForVersion} for the model bytes of the version
     * number being tried: a model that records its own version in its metadata stays consistent
     * with its directory even when another writer takes the first number tried.
     */
    public PublishedVersion publish(LongFunction<byte[]> modelForVersion, ModelCardDraft draft,
            Map<String, Path> extraFiles) throws IOException {
        return publish(modelForVersion, draft, extraFiles, Map.of());
    }

    /**
     * Publishes the next version with files that, like the model, name their own version (a list
     * of suspected mislabels): {@code filesForVersion} gives each one's bytes for the version
     * number being tried. A draft with a vector index must have its file among {@code extraFiles},
     * matching the index card's size and checksum.
     */
    public PublishedVersion publish(LongFunction<byte[]> modelForVersion, ModelCardDraft draft,
            Map<String, Path> extraFiles, Map<String, LongFunction<byte[]>> filesForVersion) throws IOException {
        String name = draft.modelName();
        Map<String, Path> extras = checkExtras(name, extraFiles);
        for (String fileName : filesForVersion.keySet()) {
            checkExtraName(name, fileName);
            if (extras.containsKey(fileName)) {
                throw new IllegalArgumentException("extra file " + fileName + " of " + name + " is given twice");
            }
        }
        checkIndex(draft, extras);
        String createdAt = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();

        Path modelDir = layout.modelDir(name);
        if (!Files.isDirectory(modelDir)) {
            Files.createDirectories(modelDir);
            Durable.fsyncDirectory(modelDir.getParent());
        }
        long candidate = highestNumber(modelDir) + 1;
        Path temp = Files.createTempDirectory(modelDir, RepositoryLayout.TEMP_PREFIX);
        boolean renamed = false;
        try {
            byte[] written = null;
            ModelCard card = null;
            for (Map.Entry<String, Path> e : extras.entrySet()) {
                copyDurably(e.getValue(), temp.resolve(e.getKey()));
            }
            // temp dirs are owner-only; a published version must be readable like any other file
            setPermissions(temp, "rwxr-xr-x");
            for (int attempt = 1; ; attempt++) {
                byte[] model = modelForVersion.apply(candidate);
                if (model == null || model.length == 0) {
                    throw new IllegalArgumentException("ONNX model bytes for " + name + " v" + candidate + " are empty");
                }
                for (Map.Entry<String, LongFunction<byte[]>> e : filesForVersion.entrySet()) {
                    writeDurably(temp.resolve(e.getKey()), e.getValue().apply(candidate));
                }
                if (model != written) {
                    writeDurably(temp.resolve(RepositoryLayout.MODEL_FILE), model);
                    hooks.afterModelWritten(temp);
                    card = draft.toCard(candidate, sha256(model), model.length, createdAt);
                    written = model;
                }
                card = card.withVersion(candidate);
                writeDurably(temp.resolve(RepositoryLayout.CARD_FILE), card.toJson());
                hooks.afterCardWritten(temp, candidate);
                Durable.fsyncDirectory(temp);
                Path target = modelDir.resolve(Long.toString(candidate));
                hooks.beforeRename(temp, target);
                if (tryRename(temp, target)) {
                    renamed = true;
                    Durable.fsyncDirectory(modelDir);
                    hooks.afterRename(target);
                    return new PublishedVersion(name, candidate, target, target.resolve(RepositoryLayout.MODEL_FILE), card);
                }
                if (attempt == MAX_ATTEMPTS) {
                    throw new IOException("could not publish " + name + ": " + MAX_ATTEMPTS
                            + " version numbers in a row were taken by other writers (last tried " + candidate + ")");
                }
                candidate = Math.max(candidate, highestNumber(modelDir)) + 1;
            }
        } finally {
            if (!renamed) {
                deleteRecursively(temp);
            }
        }
    }

    /**
     * Recomputes the SHA-256 and size of the model file and compares them with the card. Static:
     * a reader needs no repository for it (opening one cleans the root's stale temporary directories).
     *
     * @return empty if they match, else a message saying what differs
     */
    public static Optional<String> verify(PublishedVersion published) throws IOException {
        Path file = published.modelFile();
        if (!Files.isRegularFile(file)) {
            return Optional.of("model file of " + published.name() + " v" + published.version() + " is missing: " + file);
        }
        FileDigest digest = FileDigest.of(file);
        return mismatch(published, digest.sha256(), digest.size());
    }

    /** {@link #verify(PublishedVersion)} on the model's bytes, read once by a caller that then uses exactly these. */
    public static Optional<String> verify(PublishedVersion published, byte[] model) {
        return mismatch(published, sha256(model), model.length);
    }

    private static Optional<String> mismatch(PublishedVersion published, String actual, long size) {
        ModelCard card = published.card();
        if (actual.equals(card.sha256()) && size == card.sizeBytes()) {
            return Optional.empty();
        }
        return Optional.of("model file of " + published.name() + " v" + published.version()
                + " does not match its card: sha256 " + actual + " (" + size + " bytes), card says "
                + card.sha256() + " (" + card.sizeBytes() + " bytes); the file changed after publishing: " + published.modelFile());
    }

    /** Lower-case hex SHA-256, as model cards carry it. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static Map<String, Path> checkExtras(String name, Map<String, Path> extraFiles) {
        Map<String, Path> extras = new LinkedHashMap<>();
        if (extraFiles == null) {
            return extras;
        }
        extraFiles.forEach((fileName, source) -> {
            checkExtraName(name, fileName);
            if (source == null || !Files.isRegularFile(source)) {
                throw new IllegalArgumentException("extra file " + fileName + " of " + name
                        + " must be an existing regular file, got " + source);
            }
            extras.put(fileName, source);
        });
        return extras;
    }

    private static void checkExtraName(String name, String fileName) {
        RepositoryLayout.requireFileName(fileName);
        if (fileName.equals(RepositoryLayout.MODEL_FILE) || fileName.equals(RepositoryLayout.CARD_FILE)) {
            throw new IllegalArgumentException("extra file of " + name + " may not be named " + fileName
                    + ": the repository writes that file itself");
        }
    }

    /** A card that promises an index is published only with that very file beside it. */
    private static void checkIndex(ModelCardDraft draft, Map<String, Path> extras) throws IOException {
        VectorIndexCard index = draft.index();
        if (index == null) {
            return;
        }
        Path source = extras.get(index.file());
        if (source == null) {
            throw new IllegalArgumentException("the card of " + draft.modelName() + " names the vector index "
                    + index.file() + ", which is not among the files to publish " + extras.keySet());
        }
        FileDigest digest = FileDigest.of(source);
        if (digest.size() != index.sizeBytes() || !digest.sha256().equals(index.sha256())) {
            throw new IllegalArgumentException("vector index " + source + " has sha256 " + digest.sha256() + " ("
                    + digest.size() + " bytes), the card says " + index.sha256() + " (" + index.sizeBytes() + " bytes)");
        }
    }

    /** A file's SHA-256 (lowercase hex) and size, read in one pass. */
    private record FileDigest(String sha256, long size) {
        static FileDigest of(Path file) throws IOException {
            MessageDigest digest = newSha256();
            long size = 0;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                    size += n;
                }
            }
            return new FileDigest(HexFormat.of().formatHex(digest.digest()), size);
        }
    }

    /** The highest number-named entry, complete or not, so that no number is ever handed out twice. */
    private static long highestNumber(Path modelDir) throws IOException {
        long highest = 0;
        for (Path entry : RepositoryLayout.entries(modelDir)) {
            highest = Math.max(highest, RepositoryLayout.versionOf(entry));
        }
        return highest;
    }

    /**
     * Renames the temp dir onto {@code target}; false when another writer owns {@code target}.
     * Only an atomic rename will do: a copy could be seen half-done.
     */
    private static boolean tryRename(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            throw e;
        } catch (IOException e) {
            // Linux reports ENOTEMPTY or EEXIST with no dedicated exception type; the entry's presence is the test
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            throw e;
        }
    }

    /** Writes a new file and forces it to disk; a file already there is replaced (the card on retry). */
    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        Files.deleteIfExists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        makeReadOnly(file);
    }

    private static void copyDurably(Path source, Path file) throws IOException {
        Files.copy(source, file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        makeReadOnly(file);
    }

    private static void makeReadOnly(Path file) {
        if (!setPermissions(file, "r--r--r--")) {
            file.toFile().setWritable(false, false);
        }
    }

    /** Best effort; false on filesystems without POSIX permissions. */
    private static boolean setPermissions(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
            return true;
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /** Makes entries created or renamed in {@code dir} durable. Some filesystems refuse; that is accepted. */

    /** Removes {@code root/<name>/.tmp-*} older than {@link #STALE_TEMP_AGE}; younger ones may belong to a live writer. */
    private void removeStaleTempDirs() {
        Instant cutoff = Instant.now(clock).minus(STALE_TEMP_AGE);
        try {
            for (Path modelDir : RepositoryLayout.entries(layout.root())) {
                if (!Files.isDirectory(modelDir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                for (Path entry : RepositoryLayout.entries(modelDir)) {
                    if (entry.getFileName().toString().startsWith(RepositoryLayout.TEMP_PREFIX)
                            && Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                        deleteRecursively(entry);
                    }
                }
            }
        } catch (IOException e) {
            // cleanup is housekeeping; leftovers are invisible to readers and retried at the next start
        }
    }

    private static void deleteRecursively(Path path) {
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a leftover temp dir is ignored by readers and removed once stale
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
