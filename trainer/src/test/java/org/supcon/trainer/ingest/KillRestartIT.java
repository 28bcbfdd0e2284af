package org.supcon.trainer.ingest;

import org.supcon.trainer.producer.IngestCommand;
import org.supcon.trainer.producer.IngestSummary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.testing.kafka.KafkaBroker;

/**
 * The packaged trainer killed with {@code kill -9} half way through 10,000 records and started
 * again: the cache then holds exactly 10,000 samples, none written twice.
 */
class KillRestartIT {

    private static final int RECORDS = 10_000;
    private static final String TOPIC = "labeled-images";
    private static final String GROUP = "supcon-trainer";
    /** The consumer's session: the broker's minimum (6 s) instead of the client's default (45 s). */
    private static final int SESSION_TIMEOUT_MS = 6000;

    @Test
    void killedHalfWayAndRestartedItHoldsExactlyTenThousandSamples(@TempDir Path dir) throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            try (Admin admin = Admin.create(kafka.adminConfig())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            }
            Path data = dir.resolve("data");
            // small polls: many durable batches, so that the kill lands between two of them or inside one;
            // a short session, so that the restarted member need not wait 45 s for the killed one to leave the group
            List<String> properties = List.of("kafka.bootstrap.servers=" + kafka.bootstrapServers(), "trainer.data-dir=" + data,
                    "trainer.consumer.max-poll-records=20", "kafka.session.timeout.ms=" + SESSION_TIMEOUT_MS);
            Path log = dir.resolve("trainer.log");

            // The trainer starts on the empty topic (its consumer starts before HTTP answers, so records
            // published before would race with start), then the records are sent while it consumes.
            int samplesAtKill;
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            CompletableFuture<IngestSummary> sent;
            TrainerProcess first = TrainerProcess.start(log, properties);
            try {
                sent = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new IngestCommand(new PrintStream(console, true, StandardCharsets.UTF_8), kafka.clientConfig(),
                                FashionMnist.defaultDirectory(), false).run(List.of("--dataset", "fashion-mnist", "--limit",
                                String.valueOf(RECORDS)));
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                samplesAtKill = awaitSamples(first, RECORDS / 2);
            } finally {
                first.kill();
            }
            assertTrue(samplesAtKill < RECORDS, "the trainer had consumed everything (" + samplesAtKill
                    + " samples) before the kill; the test needs it killed half way");
            assertEquals(RECORDS, sent.get(120, TimeUnit.SECONDS).sent(), console::toString);
            System.out.printf("KillRestartIT: killed the trainer at %d of %d samples%n", samplesAtKill, RECORDS);

            try (Admin admin = Admin.create(kafka.adminConfig());
                 TrainerProcess second = TrainerProcess.start(log, properties)) {
                awaitCaughtUp(second);
                // the status is read in parts: assert on one snapshot taken after it showed the end
                JsonNode done = second.dataset();
                assertEquals(RECORDS, done.get("samples").asInt(), done::toPrettyString);
                assertEquals(0, done.get("dlq").asLong(), done::toPrettyString);
                long offsets = 0;
                for (JsonNode o : done.get("offsets")) {
                    offsets += o.asLong();
                }
                assertEquals(RECORDS, offsets, done::toPrettyString);
                assertTrue(second.log().contains("resuming at the cache's offsets {labeled-images-"), second::logTail);
                // the group's committed offsets reach the end too; the commit follows the cache's saved
                // offsets, so it is awaited before the stop (which may abort a commit in flight)
                awaitCommittedToTheEnd(admin, second);
            }

            // the cache itself, read after the service stopped: every id once, no entry written twice
            try (DatasetCache cache = DatasetCache.open(data.resolve("dataset"), new ImageGeometry(1, 28, 28))) {
                DatasetCache.Stats stats = cache.stats();
                assertEquals(RECORDS, stats.samples());
                assertEquals(0, stats.supersededBytes(), "an id was written twice");
                for (int i = 0; i < RECORDS; i++) {
                    String id = LabeledImageMapper.imageSetId("fashion-mnist", "train", i);
                    assertTrue(cache.get(id).isPresent(), id);
                }
                assertEquals(RECORDS, stats.perLabel().values().stream().mapToInt(Integer::intValue).sum());
            }
        }
    }

    /** Polls the group's committed offsets until they equal the end of both partitions, for at most 60 s. */
    private static void awaitCommittedToTheEnd(Admin admin, TrainerProcess trainer) throws Exception {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        query.put(new TopicPartition(TOPIC, 0), OffsetSpec.latest());
        query.put(new TopicPartition(TOPIC, 1), OffsetSpec.latest());
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(query).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<TopicPartition, Long> committed = new HashMap<>();
        while (System.nanoTime() < deadline) {
            committed.clear();
            admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, o) -> committed.put(tp, o == null ? null : o.offset()));
            if (committed.equals(ends)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the group " + GROUP + " did not commit the end offsets " + ends + " in 60 s; last committed "
                + committed + "\n" + trainer.logTail());
    }

    /** Polls GET /dataset until it holds at least {@code samples}; returns the count seen then. */
    private static int awaitSamples(TrainerProcess trainer, int samples) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            int n = trainer.dataset().get("samples").asInt();
            if (n >= samples) {
                return n;
            }
            if (!trainer.isAlive()) {
                throw new AssertionError("the trainer died:\n" + trainer.logTail());
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the trainer did not reach " + samples + " samples in 120 s:\n" + trainer.logTail());
    }

    /** Polls GET /dataset until every assigned partition has lag 0 and the offsets cover all records. */
    private static void awaitCaughtUp(TrainerProcess trainer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode d = null;
        while (System.nanoTime() < deadline) {
            d = trainer.dataset();
            long offsets = 0;
            for (JsonNode o : d.get("offsets")) {
                offsets += o.asLong();
            }
            boolean lagZero = d.get("lag").size() == 2;
            for (JsonNode l : d.get("lag")) {
                lagZero &= l.asLong() == 0;
            }
            if (lagZero && offsets >= RECORDS) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the restarted trainer did not catch up in 120 s; last /dataset: "
                + (d == null ? null : d.toPrettyString()) + "\n" + trainer.logTail());
    }
}
