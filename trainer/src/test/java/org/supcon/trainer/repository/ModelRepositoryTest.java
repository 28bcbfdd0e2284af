package org.supcon.trainer.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;

class ModelRepositoryTest {

    private static final String NAME = "fashion-encoder";
    private static final Instant NOW = Instant.parse("2025-02-01T10:00:00.250Z");

    @TempDir
    Path root;

    private static ModelCardDraft draft(String name) {
        return ModelCardDraft.builder()
                .setModelName(name)
                .setLabels(List.of("T-shirt/top", "Trouser", "Pullover"))
                .setInputShape(1, 28, 28)
                .optMetrics(Map.of("testAccuracy", 0.913))
                .optProvenance(Map.of("temperature", 0.1, "epochs", 20, "data", Map.of("dataset", "fashion-mnist")))
                .optRunId("run-42")
                .build();
    }

    private static byte[] model(String tag) {
        return ("fake onnx " + tag).getBytes(StandardCharsets.UTF_8);
    }

    private ModelRepository repo(PublishHooks hooks) {
        return new ModelRepository(root, Clock.fixed(NOW, ZoneOffset.UTC), hooks);
    }

    private List<Path> tempDirs(String name) throws IOException {
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void publishesVersionsOneTwoThreeWithCompleteCards() throws Exception {
        ModelRepository repo = repo(PublishHooks.NONE);
        Path plot = Files.writeString(root.resolve("training.png"), "png bytes");
        for (int i = 1; i <= 3; i++) {
            PublishedVersion v = repo.publish(model("v" + i), draft(NAME), Map.of("training.png", plot));
            assertEquals(i, v.version());
            assertEquals(root.resolve(NAME).resolve(Integer.toString(i)), v.directory());
        }
        assertEquals(List.of(1L, 2L, 3L), repo.versions(NAME));
        assertEquals(3, repo.latest(NAME).orElseThrow().version());

        PublishedVersion v2 = new ModelRepository(root).get(NAME, 2).orElseThrow();
        ModelCard card = v2.card();
        byte[] bytes = model("v2");
        assertArrayEquals(bytes, Files.readAllBytes(v2.modelFile()));
        assertEquals(new ModelCard(NAME, 2, List.of("T-shirt/top", "Trouser", "Pullover"), Map.of("testAccuracy", 0.913),
                Map.of("temperature", 0.1, "epochs", 20, "data", Map.of("dataset", "fashion-mnist")),
                sha256(bytes), bytes.length, "2025-02-01T10:00:00.250Z", 1, 28, 28, "run-42"), card);
        assertEquals(card, ModelCard.read(v2.directory().resolve(RepositoryLayout.CARD_FILE)));
        assertEquals("png bytes", Files.readString(v2.file("training.png")));
        assertEquals(Optional.empty(), ModelRepository.verify(v2));

        for (Path f : List.of(v2.modelFile(), v2.directory().resolve(RepositoryLayout.CARD_FILE), v2.file("training.png"))) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
            assertFalse(perms.contains(PosixFilePermission.OWNER_WRITE) || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE), f + " is writable: " + perms);
        }
        assertTrue(Files.getPosixFilePermissions(v2.directory()).contains(PosixFilePermission.OTHERS_READ),
                "published directory must be readable by other users, like the temp dir it came from is not");
        assertEquals(List.of(), tempDirs(NAME));
    }

    enum Step { AFTER_MODEL_WRITTEN, AFTER_CARD_WRITTEN, BEFORE_RENAME }

    private static PublishHooks crashAt(Step step) {
        return new PublishHooks() {
            @Override
            public void afterModelWritten(Path tempDir) throws IOException {
                crashIf(Step.AFTER_MODEL_WRITTEN);
            }

            @Override
            public void afterCardWritten(Path tempDir, long candidateVersion) throws IOException {
                crashIf(Step.AFTER_CARD_WRITTEN);
            }

            @Override
            public void beforeRename(Path tempDir, Path target) throws IOException {
                crashIf(Step.BEFORE_RENAME);
            }

            private void crashIf(Step at) throws IOException {
                if (at == step) {
                    throw new IOException("simulated crash " + at);
                }
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void crashBeforeTheRenameLeavesNoVersionAndNoTempDir(Step step) throws Exception {
        repo(PublishHooks.NONE).publish(model("first"), draft(NAME));
        ModelRepository crashing = repo(crashAt(step));
        IOException e = assertThrows(IOException.class, () -> crashing.publish(model("second"), draft(NAME)));
        assertEquals("simulated crash " + step, e.getMessage());
        assertEquals(List.of(1L), crashing.versions(NAME));
        assertEquals(List.of(), tempDirs(NAME));
        assertEquals(2, repo(PublishHooks.NONE).publish(model("third"), draft(NAME)).version());
    }

    @Test
    void crashAfterTheRenameLeavesTheCompleteVersion() throws Exception {
        ModelRepository crashing = repo(new PublishHooks() {
            @Override
            public void afterRename(Path versionDir) throws IOException {
                throw new IOException("simulated crash after rename");
            }
        });
        assertThrows(IOException.class, () -> crashing.publish(model("a"), draft(NAME)));
        assertEquals(List.of(1L), crashing.versions(NAME));
        PublishedVersion v1 = crashing.get(NAME, 1).orElseThrow();
        assertEquals(1, v1.card().version());
        assertEquals(Optional.empty(), ModelRepository.verify(v1));
        assertEquals(List.of(), tempDirs(NAME));
    }

    @Test
    void leftoverOfAKilledWriterIsIgnoredAndCleanedWhenStale() throws Exception {
        ModelRepository repo = repo(PublishHooks.NONE);
        PublishedVersion v1 = repo.publish(model("a"), draft(NAME));
        Path stale = Files.createDirectory(root.resolve(NAME).resolve(".tmp-xyz"));
        Files.write(stale.resolve(RepositoryLayout.MODEL_FILE), model("half"));
        Files.writeString(stale.resolve(RepositoryLayout.CARD_FILE), "{\"modelName\" : \"fash");
        Path young = Files.createDirectory(root.resolve(NAME).resolve(".tmp-live-writer"));
        FileTime twoHoursAgo = FileTime.from(NOW.minus(Duration.ofHours(2)));
        Files.setLastModifiedTime(stale, twoHoursAgo);
        Files.setLastModifiedTime(young, FileTime.from(NOW.minus(Duration.ofMinutes(10))));
        Files.setLastModifiedTime(v1.directory(), twoHoursAgo);

        assertEquals(List.of(1L), repo.versions(NAME));
        repo(PublishHooks.NONE);
        assertFalse(Files.exists(stale), "stale temp dir should be removed");
        assertTrue(Files.exists(young), "a temp dir younger than an hour may belong to a live writer");
        assertEquals(List.of(1L), repo.versions(NAME));
        assertEquals(Optional.empty(), ModelRepository.verify(repo.get(NAME, 1).orElseThrow()));
    }

    @Test
    void garbageIsNotListedAndItsNumbersAreNeverReused() throws Exception {
        ModelRepository repo = repo(PublishHooks.NONE);
        repo.publish(model("a"), draft(NAME));
        Path dir = root.resolve(NAME);
        Files.createDirectory(dir.resolve("abc"));
        Files.createDirectory(dir.resolve("0"));
        Files.createDirectory(dir.resolve("007"));
        Files.write(Files.createDirectory(dir.resolve("5")).resolve(RepositoryLayout.MODEL_FILE), model("orphan"));
        Files.writeString(dir.resolve("6"), "a file, not a version");
        assertEquals(List.of(1L), repo.versions(NAME));
        assertEquals(Optional.empty(), repo.get(NAME, 5));
        assertEquals(7, repo.publish(model("b"), draft(NAME)).version());
        assertEquals(List.of(1L, 7L), repo.versions(NAME));
    }

    @Test
    void versionTakenBeforeTheRenameIsRetriedWithTheCardRewritten() throws Exception {
        ModelRepository other = new ModelRepository(root);
        AtomicBoolean raced = new AtomicBoolean();
        List<Long> candidates = new ArrayList<>();
        ModelRepository repo = repo(new PublishHooks() {
            @Override
            public void afterCardWritten(Path tempDir, long candidateVersion) {
                candidates.add(candidateVersion);
            }

            @Override
            public void beforeRename(Path tempDir, Path target) throws IOException {
                if (!raced.getAndSet(true)) {
                    assertEquals(1, other.publish(model("other"), draft(NAME)).version());
                }
            }
        });
        PublishedVersion mine = repo.publish(model("mine"), draft(NAME));
        assertEquals(List.of(1L, 2L), candidates);
        assertEquals(2, mine.version());
        assertEquals(2, repo.get(NAME, 2).orElseThrow().card().version());
        assertEquals(ModelRepository.sha256(model("other")), repo.get(NAME, 1).orElseThrow().card().sha256());
        assertArrayEquals(model("mine"), Files.readAllBytes(mine.modelFile()));
        assertEquals(List.of(), tempDirs(NAME));
    }

    @Test
    void modelThatRecordsItsVersionIsRebuiltForTheVersionItFinallyGets() throws Exception {
        ModelRepository other = new ModelRepository(root);
        AtomicBoolean raced = new AtomicBoolean();
        List<Long> asked = new ArrayList<>();
        ModelRepository repo = repo(new PublishHooks() {
            @Override
            public void beforeRename(Path tempDir, Path target) throws IOException {
                if (!raced.getAndSet(true)) {
                    other.publish(model("other"), draft(NAME));
                }
            }
        });
        PublishedVersion mine = repo.publish(v -> {
            asked.add(v);
            return model("version " + v);
        }, draft(NAME), Map.of());
        assertEquals(List.of(1L, 2L), asked);
        assertEquals(2, mine.version());
        assertArrayEquals(model("version 2"), Files.readAllBytes(mine.modelFile()));
        assertEquals(ModelRepository.sha256(model("version 2")), mine.card().sha256());
        assertEquals(Optional.empty(), ModelRepository.verify(repo.get(NAME, 2).orElseThrow()));
    }

    @Test
    void filesThatNameTheirVersionAreRewrittenForTheVersionItFinallyGets() throws Exception {
        ModelRepository other = new ModelRepository(root);
        AtomicBoolean raced = new AtomicBoolean();
        ModelRepository repo = repo(new PublishHooks() {
            @Override
            public void beforeRename(Path tempDir, Path target) throws IOException {
                if (!raced.getAndSet(true)) {
                    other.publish(model("other"), draft(NAME));
                }
            }
        });
        PublishedVersion mine = repo.publish(v -> model("m"), draft(NAME), Map.of(),
                Map.of("issues.json", v -> ("{\"version\":" + v + "}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, mine.version());
        assertEquals("{\"version\":2}", Files.readString(mine.file("issues.json")));
        assertThrows(IllegalArgumentException.class, () -> repo.publish(v -> model("m"), draft(NAME),
                Map.of(), Map.of(RepositoryLayout.CARD_FILE, v -> new byte[1])));
    }

    @Test
    void aCardWithAVectorIndexIsPublishedOnlyWithThatFile() throws Exception {
        Path file = root.resolve("index-source.zip");
        Files.write(file, "an index".getBytes(StandardCharsets.UTF_8));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        VectorIndexCard card = new VectorIndexCard(VectorIndex.FILE, sha, Files.size(file), 3, 4, VectorIndex.METRIC, "e");
        ModelCardDraft withIndex = ModelCardDraft.builder().setModelName(NAME).setLabels(List.of("a", "b"))
                .setInputShape(1, 4, 4).optIndex(card).build();
        ModelRepository repo = repo(PublishHooks.NONE);

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> repo.publish(model("m"), withIndex, Map.of()));
        assertTrue(missing.getMessage().contains("names the vector index vector-index.zip, which is not among"),
                missing.getMessage());
        Path other = root.resolve("other.zip");
        Files.write(other, "another index".getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException differs = assertThrows(IllegalArgumentException.class,
                () -> repo.publish(model("m"), withIndex, Map.of(VectorIndex.FILE, other)));
        assertTrue(differs.getMessage().contains("the card says " + sha), differs.getMessage());
        assertEquals(List.of(), repo.versions(NAME));

        PublishedVersion v = repo.publish(model("m"), withIndex, Map.of(VectorIndex.FILE, file));
        assertEquals(card, v.card().index());
        assertEquals(card, repo.latest(NAME).orElseThrow().card().index());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(v.file(VectorIndex.FILE)));
    }

    @Test
    void eightThreadsPublishingFiveEachGetFortyDistinctVersions() throws Exception {
        ModelRepository repo = new ModelRepository(root);
        race(List.of(repo), 8, 5);
    }

    @Test
    void twoRepositoryInstancesOnOneRootNeverShareAVersion() throws Exception {
        race(List.of(new ModelRepository(root), new ModelRepository(root)), 4, 5);
    }

    private void race(List<ModelRepository> repos, int threadsPerRepo, int publishesPerThread) throws Exception {
        int threads = repos.size() * threadsPerRepo;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                ModelRepository repo = repos.get(t % repos.size());
                int thread = t;
                Callable<List<Long>> work = () -> {
                    start.await();
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < publishesPerThread; i++) {
                        long v = repo.publish(model(thread + "-" + i), draft(NAME)).version();
                        assertTrue(mine.isEmpty() || v > mine.get(mine.size() - 1), "versions only increase: " + mine + " then " + v);
                        mine.add(v);
                    }
                    return mine;
                };
                results.add(pool.submit(work));
            }
            start.countDown();
            Set<Long> seen = new HashSet<>();
            for (Future<List<Long>> f : results) {
                for (long v : f.get(60, TimeUnit.SECONDS)) {
                    assertTrue(seen.add(v), "version " + v + " handed out twice");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        int total = threads * publishesPerThread;
        List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
        ModelRepository reader = repos.get(0);
        assertEquals(expected, reader.versions(NAME));
        Set<String> checksums = new HashSet<>();
        for (long v : expected) {
            PublishedVersion p = reader.get(NAME, v).orElseThrow();
            assertEquals(v, p.card().version());
            assertEquals(Optional.empty(), ModelRepository.verify(p));
            checksums.add(p.card().sha256());
        }
        assertEquals(total, checksums.size(), "every publish must land in its own version, none overwritten");
        assertEquals(List.of(), tempDirs(NAME));
    }

    @Test
    void badNamesAreRejectedNamingTheName() throws Exception {
        ModelRepository repo = repo(PublishHooks.NONE);
        for (String bad : List.of("../x", "a/b", "", "..", ".tmp-1", "a b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> repo.versions(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> draft(bad));
            assertTrue(e.getMessage().contains("invalid model name '" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> repo.get("a/b", 1));
        Path plot = Files.writeString(root.resolve("plot.png"), "x");
        for (String bad : List.of("../evil", "model.onnx", RepositoryLayout.CARD_FILE)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> repo.publish(model("a"), draft(NAME), Map.of(bad, plot)));
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> repo.publish(new byte[0], draft(NAME)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertEquals(List.of(), repo.versions(NAME));
        assertEquals(List.of(), tempDirs(NAME));
    }

    @Test
    void missingVersionsAreEmpty() throws Exception {
        ModelRepository repo = repo(PublishHooks.NONE);
        assertEquals(Optional.empty(), repo.latest(NAME));
        assertEquals(List.of(), repo.versions(NAME));
        repo.publish(model("a"), draft(NAME));
        assertEquals(Optional.empty(), repo.get(NAME, 2));
        assertEquals(Optional.empty(), repo.get(NAME, 0));
        assertEquals(Optional.empty(), repo.get("other-model", 1));
        assertTrue(repo.get(NAME, 1).isPresent());
    }

    @Test
    void verifyDetectsATamperedModelFile() throws Exception {
        ModelRepository repo = repo(PublishHooks.NONE);
        PublishedVersion v = repo.publish(model("original"), draft(NAME));
        assertEquals(Optional.empty(), ModelRepository.verify(v));
        Files.setPosixFilePermissions(v.modelFile(), PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(v.modelFile(), model("tampered"));
        String message = ModelRepository.verify(repo.get(NAME, 1).orElseThrow()).orElseThrow();
        assertTrue(message.contains("fashion-encoder v1 does not match its card"), message);
        assertTrue(message.contains(ModelRepository.sha256(model("tampered")))
                && message.contains(v.card().sha256()), message);
    }
}
