package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.settings.TestSettings;

/** The run manager without Quarkus: a real dataset cache, real training and a real repository. */
class RunManagerTest {

    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static RunSettings small(Object... more) {
        Object[] base = {"method", "supcon", "encoder", "small-resnet", "epochs", 1, "batchSize", 16, "learningRate", 0.1,
            "temperature", 0.1, "seed", 3, "minCropScale", 0.5, "linearEpochs", 10, "linearLearningRate", 0.1,
            "validationFraction", 0, "testFraction", 0.2, "loaderWorkers", 1};
        Object[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return TestSettings.of(all);
    }

    private static final RunSettings SMALL = small();

    private static RunManager manager(Path dir, DatasetCache cache, Gate gate, ModelEvents events) {
        return new RunManager(new RunManager.Options(dir.resolve("runs"), "bands", new ModelRepository(dir.resolve("models")),
                gate, SMALL, Device.cpu()), () -> cache.identifiedSnapshot(null, null), events);
    }

    private static RunStatus awaitEnd(RunManager m, String id) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            RunStatus s = m.get(id).orElseThrow();
            if (!s.state().active()) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run did not end: " + s);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void withTheGateOffAWorseRunIsPublishedToo(@TempDir Path dir) throws Exception {
        List<PublishedVersion> sent = new ArrayList<>();
        try (DatasetCache cache = DatasetCache.open(dir.resolve("dataset"), SyntheticSamples.GEOMETRY)) {
            cache.appendAll(SyntheticSamples.make(30, 1));
            try (RunManager m = manager(dir, cache, new Gate(false, 0), (v, id) -> sent.add(v))) {
                RunStatus good = awaitEnd(m, m.start(SMALL).id());
                assertEquals(RunState.SUCCEEDED, good.state(), String.valueOf(good));
                assertEquals(1L, good.modelVersion());
                RunSettings worse = small("method", "ce", "learningRate", 1e-6);
                RunStatus bad = awaitEnd(m, m.start(worse).id());
                assertEquals(RunState.SUCCEEDED, bad.state(), String.valueOf(bad));
                assertTrue(bad.metrics().testAccuracy() < good.metrics().testAccuracy(),
                        "the second run is worse: " + bad.metrics() + " vs " + good.metrics());
                assertEquals(true, bad.published());
                assertEquals(2L, bad.modelVersion());
                assertTrue(bad.gate().reason().contains("disabled"));
                assertEquals(List.of(1L, 2L), sent.stream().map(PublishedVersion::version).toList());
                assertEquals(true, bad.eventSent());
            }
        }
    }

    private static final int EPOCHS = 8;

    @Test
    void aRunStoppedByShutdownResumesFromItsCheckpointAtTheNextStart(@TempDir Path dir) throws Exception {
        // eight epochs: the shutdown below, asked once epoch 1 has ended, must land before the last one
        // even when the test thread is slow to get the CPU on a loaded machine
        RunSettings eight = small("epochs", EPOCHS, "linearEpochs", 5);
        String id;
        try (DatasetCache cache = DatasetCache.open(dir.resolve("dataset"), SyntheticSamples.GEOMETRY)) {
            cache.appendAll(SyntheticSamples.make(30, 1));
            RunManager first = manager(dir, cache, new Gate(true, 0), ModelEvents.NONE);
            CountDownLatch epochOne = new CountDownLatch(1);
            first.observe(s -> {
                if (s.history() != null && !s.history().isEmpty()) {
                    epochOne.countDown();
                }
            });
            id = first.start(eight).id();
            assertTrue(epochOne.await(LIMIT.toSeconds(), TimeUnit.SECONDS), "first epoch never finished");
            first.shutdown(120);
            RunStatus stopped = first.get(id).orElseThrow();
            assertEquals(RunState.RUNNING, stopped.state(), "a shutdown leaves the run active: " + stopped);
            assertTrue(Files.exists(dir.resolve("runs").resolve(id).resolve("checkpoint/last.ckpt")));
            // new samples after the stop must not enter the resumed run
            cache.appendAll(SyntheticSamples.make(40, 2).subList(90, 120));

            try (RunManager second = manager(dir, cache, new Gate(true, 0), ModelEvents.NONE)) {
                List<RunStatus> resumed = second.recover();
                assertEquals(List.of(id), resumed.stream().map(RunStatus::id).toList());
                RunStatus done = awaitEnd(second, id);
                assertEquals(RunState.SUCCEEDED, done.state(), String.valueOf(done));
                int from = done.resumedFromEpoch();
                assertTrue(from >= 1 && from < EPOCHS, "resumed from epoch " + from);
                assertEquals(EPOCHS, done.history().size());
                assertEquals(90, done.dataset().samples(), "the samples it started with");
                assertEquals(1L, done.modelVersion());
            }
        }
    }
}
