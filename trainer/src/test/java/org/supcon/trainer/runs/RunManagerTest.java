package org.supcon.trainer.runs;

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

/** The run manager without Quarkus: a real dataset cache, real training and a real repository. */
class RunManagerTest {

    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final RunSettings SMALL = new RunSettings("supcon", "small-resnet", 1, 16, 0.1, 0.1, 3, 0.5, 10, 0.1, 0, 0.2, 1);

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
                RunSettings worse = new RunSettings("ce", "small-resnet", 1, 16, 1e-6, 0.1, 3, 0.5, 10, 0.1, 0, 0.2, 1);
                RunStatus bad = awaitEnd(m, m.start(worse).id());
                assertEquals(RunState.SUCCEEDED, bad.state(), String.valueOf(bad));
                assertTrue((Double) bad.metrics().get("testAccuracy") < (Double) good.metrics().get("testAccuracy"),
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
        RunSettings eight = new RunSettings("supcon", "small-resnet", EPOCHS, 16, 0.1, 0.1, 3, 0.5, 5, 0.1, 0, 0.2, 1);
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
                assertEquals(90, ((Number) done.dataset().get("samples")).intValue(), "the samples it started with");
                assertEquals(1L, done.modelVersion());
            }
        }
    }
}
