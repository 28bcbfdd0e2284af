package org.supcon.trainer.ingest;

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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.data.FashionMnist;
import org.supcon.trainer.data.ImageGeometry;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.kafka.KafkaBroker;

/**
 * The packaged trainer killed with {@code kill -9} half way through 10,000 records and started
 * again: the cache then holds exactly 10,000 samples, none written twice.
 */
class KillRestartIT {

    private static final int RECORDS = 10_000;
    private static final String TOPIC = "labeled-images";

    @Test
    void killedHalfWayAndRestartedItHoldsExactlyTenThousandSamples(@TempDir Path dir) throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            try (Admin admin = Admin.create(kafka.adminConfig())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            }
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            IngestSummary sent = new IngestCommand(new PrintStream(console, true, StandardCharsets.UTF_8), kafka.clientConfig(),
                    FashionMnist.defaultDirectory(), false).run(List.of("--dataset", "fashion-mnist", "--limit", String.valueOf(RECORDS)));
            assertEquals(RECORDS, sent.sent(), console::toString);

            Path data = dir.resolve("data");
            // small polls: many durable batches, so that the kill lands between two of them or inside one
            List<String> properties = List.of("kafka.bootstrap.servers=" + kafka.bootstrapServers(), "trainer.data-dir=" + data,
                    "trainer.consumer.max-poll-records=20");
            Path log = dir.resolve("trainer.log");
            int samplesAtKill;
            TrainerProcess first = TrainerProcess.start(log, properties);
            try {
                samplesAtKill = awaitSamples(first, RECORDS / 2);
            } finally {
                first.kill();
            }
            assertTrue(samplesAtKill < RECORDS, "the trainer had consumed everything (" + samplesAtKill
                    + " samples) before the kill; the test needs it killed half way");

            System.out.printf("KillRestartIT: killed the trainer at %d of %d samples%n", samplesAtKill, RECORDS);
            JsonNode done;
            try (TrainerProcess second = TrainerProcess.start(log, properties)) {
                done = awaitCaughtUp(second);
                assertEquals(RECORDS, done.get("samples").asInt(), done::toPrettyString);
                assertEquals(0, done.get("dlq").asLong(), done::toPrettyString);
                long offsets = 0;
                for (JsonNode o : done.get("offsets")) {
                    offsets += o.asLong();
                }
                assertEquals(RECORDS, offsets, done::toPrettyString);
                assertTrue(second.log().contains("resuming at the cache's offsets {labeled-images-"), second::logTail);
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
            // the group's committed offsets reached the end too
            try (Admin admin = Admin.create(kafka.adminConfig())) {
                Map<TopicPartition, OffsetSpec> query = new HashMap<>();
                query.put(new TopicPartition(TOPIC, 0), OffsetSpec.latest());
                query.put(new TopicPartition(TOPIC, 1), OffsetSpec.latest());
                Map<TopicPartition, Long> ends = new HashMap<>();
                admin.listOffsets(query).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("supcon-trainer")
                        .partitionsToOffsetAndMetadata().get();
                ends.forEach((tp, end) -> assertEquals(end, committed.get(tp).offset(), tp.toString()));
            }
        }
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
    private static JsonNode awaitCaughtUp(TrainerProcess trainer) throws Exception {
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
                return d;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the restarted trainer did not catch up in 120 s; last /dataset: "
                + (d == null ? null : d.toPrettyString()) + "\n" + trainer.logTail());
    }
}
