package org.supcon.trainer.ingest;

import org.supcon.trainer.producer.IngestCommand;
import org.supcon.trainer.producer.IngestSummary;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.proto.v1.ImageEncoding;
import org.supcon.proto.v1.LabeledImage;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.testing.images.PngBombs;
import org.supcon.trainer.dataset.RecordValidator;
import org.supcon.trainer.dataset.Sample;
import org.supcon.trainer.dataset.Validation;
import org.supcon.trainer.dataset.ValidationLimits;
import org.supcon.testing.kafka.KafkaBroker;

/** The dataset consumer's loop against a real broker: ingest, consume, cache, DLQ, restart, rebuild. */
class IngestLoopTest {

    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws IOException {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyIngestedRecordArrivesExactlyOnceInTheCacheAndALaterRecordRelabels(@TempDir Path dir) throws Exception {
        String topic = newTopic(3);
        ingest(topic, 2000);
        ImageSet expected = FashionMnist.train(FashionMnist.defaultDirectory()).head(2000);
        Map<TopicPartition, Long> ends = endOffsets(topic);
        assertEquals(2000L, ends.values().stream().mapToLong(Long::longValue).sum());
        String group = "g-" + UUID.randomUUID();
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, dir.resolve("dataset"))) {
            running.awaitCaughtUp(ends);
            DatasetCache.Stats stats = running.cache.stats();
            assertEquals(2000, stats.samples());
            // each id written once: no superseded entry in the segments
            assertEquals(0, stats.supersededBytes());
            for (int i = 0; i < 2000; i++) {
                String id = LabeledImageMapper.imageSetId("fashion-mnist", "train", i);
                Sample s = running.cache.get(id).orElseThrow(() -> new AssertionError("missing " + id));
                assertEquals(FashionMnist.LABELS.get(expected.label(i)), s.label(), id);
                assertArrayEquals(Arrays.copyOfRange(expected.pixels(), expected.offset(i), expected.offset(i) + 784), s.pixels(), id);
            }
            assertEquals(offsetMap(ends), running.cache.offsets());
            assertEquals(ends, committed(group, topic));
            assertEquals(2000, running.loop.status().consumedRecords());
            assertEquals(0, running.ledger.total());

            // the same ids again: absorbed, nothing written; then a relabel replaces one sample
            Sample before = running.cache.get(LabeledImageMapper.imageSetId("fashion-mnist", "train", 7)).orElseThrow();
            ingest(topic, 2000);
            LabeledImage relabel = LabeledImageMapper.fromImageSet(expected, 7, "fashion-mnist", "train", Instant.EPOCH)
                    .toBuilder().setLabel("Relabeled").build();
            send(topic, List.of(new ProducerRecord<>(topic, relabel.getId().getBytes(StandardCharsets.UTF_8), relabel.toByteArray())));
            Map<TopicPartition, Long> again = endOffsets(topic);
            running.awaitCaughtUp(again);
            stats = running.cache.stats();
            assertEquals(2000, stats.samples());
            assertEquals("Relabeled", running.cache.get(relabel.getId()).orElseThrow().label());
            assertEquals(1, stats.perLabel().get("Relabeled"));
            assertEquals(entrySize(before), stats.supersededBytes(), "only the relabelled sample's old entry is superseded");
            assertEquals(offsetMap(again), running.cache.offsets());
            assertEquals(4001, running.loop.status().consumedRecords());
        }
    }

    @Test
    void poisonRecordsGoToTheDlqWithReasonAndOriginalBytesAndTheNextRecordIsConsumed(@TempDir Path dir) throws Exception {
        String topic = newTopic(1);
        byte[] boom = "make the validator throw".getBytes(StandardCharsets.UTF_8);
        Function<byte[], Validation> validator = v -> {
            if (Arrays.equals(v, boom)) {
                throw new IllegalStateException("a bug in the validator");
            }
            return RunningLoop.VALIDATOR.validate(v);
        };
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(record(topic, "garbage", new byte[] {1, 2, 3, (byte) 0xFF, 0x7F}, "trace", "t-1"));
        records.add(record(topic, "bad-png", image("bad-png", "Sneaker").setEncoding(ImageEncoding.IMAGE_ENCODING_ENCODED)
                .setImage(ByteString.copyFrom(LabeledImageMapperTest.png())).build().toByteArray(), "trace", "t-2"));
        records.add(record(topic, "no-label", image("no-label", "").build().toByteArray(), null, null));
        records.add(record(topic, "huge", image("huge", "Sneaker").setWidth(100).setHeight(100)
                .setImage(ByteString.copyFrom(new byte[100 * 100])).build().toByteArray(), null, null));
        records.add(record(topic, "good-1", image("good-1", "Sneaker").build().toByteArray(), null, null));
        records.add(record(topic, "boom", boom, null, null));
        records.add(record(topic, "good-2", image("good-2", "Bag").build().toByteArray(), null, null));
        send(topic, records);
        List<String> reasons = List.of("malformed-record", "undecodable-image", "missing-label", "too-large", "internal");
        List<Integer> poison = List.of(0, 1, 2, 3, 5);

        String group = "g-" + UUID.randomUUID();
        Path cacheDir = dir.resolve("dataset");
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, cacheDir, validator, 100)) {
            running.awaitCaughtUp(endOffsets(topic));
            assertEquals(2, running.cache.stats().samples());
            assertEquals("Sneaker", running.cache.get("good-1").orElseThrow().label());
            assertEquals("Bag", running.cache.get("good-2").orElseThrow().label());
            assertEquals(5, running.ledger.total());
            assertEquals(reasons.stream().collect(Collectors.toMap(r -> r, r -> 1L)), running.ledger.perReason());
        }

        List<ConsumerRecord<byte[], byte[]>> dlq = readAll(topic + ".dlq");
        assertEquals(5, dlq.size());
        for (int k = 0; k < 5; k++) {
            ConsumerRecord<byte[], byte[]> letter = dlq.get(k);
            ProducerRecord<byte[], byte[]> original = records.get(poison.get(k));
            assertArrayEquals(original.key(), letter.key());
            assertArrayEquals(original.value(), letter.value());
            assertEquals(reasons.get(k), DeadLetters.header(letter.headers(), DeadLetters.REASON));
            assertEquals(topic, DeadLetters.header(letter.headers(), DeadLetters.TOPIC));
            assertEquals("0", DeadLetters.header(letter.headers(), DeadLetters.PARTITION));
            assertEquals(String.valueOf(poison.get(k)), DeadLetters.header(letter.headers(), DeadLetters.OFFSET));
            assertFalse(DeadLetters.header(letter.headers(), DeadLetters.MESSAGE).isBlank());
        }
        assertEquals("t-1", DeadLetters.header(dlq.get(0).headers(), "trace"));
        assertEquals("t-2", DeadLetters.header(dlq.get(1).headers(), "trace"));
        assertTrue(DeadLetters.header(dlq.get(2).headers(), DeadLetters.MESSAGE).contains("label is empty"));
        assertTrue(DeadLetters.header(dlq.get(3).headers(), DeadLetters.MESSAGE).contains("100x100"));
        assertTrue(DeadLetters.header(dlq.get(4).headers(), DeadLetters.MESSAGE).contains("a bug in the validator"));

        // the cache deleted (DatasetCache.delete keeps the ledger beside it): the replay rebuilds the
        // cache, and the dead letters are neither sent nor counted again
        DatasetCache.delete(cacheDir);
        assertTrue(Files.exists(cacheDir.resolve("dlq.log")));
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, cacheDir, validator, 100)) {
            running.awaitCaughtUp(endOffsets(topic));
            assertEquals(2, running.cache.stats().samples());
            assertEquals(7, running.loop.status().consumedRecords());
            assertEquals(5, running.ledger.total());
        }
        assertEquals(5, readAll(topic + ".dlq").size());
    }

    @Test
    void aPngClaiming60000x60000IsDeadLetteredAsTooLargeWithoutDecodingWhileOneJustUnderTheLimitIsUsed(@TempDir Path dir)
            throws Exception {
        String topic = newTopic(1);
        // a few hundred bytes claiming 3.6 gigapixels; it carries 2 of its 60000 rows, so a decoder
        // that got to it would answer "truncated" (undecodable-image), not too-large
        byte[] bomb = PngBombs.png(60_000, 60_000, PngBombs.GRAY, 8, 2);
        assertTrue(bomb.length < 512, bomb.length + " bytes");
        // 4096x4096 zeros (the default trainer.dataset.max-dimension): 16 KB on disk, decoded and resized
        byte[] underLimit = PngBombs.zeros(4096, 4096, PngBombs.GRAY, 8);
        assertTrue(underLimit.length < 64 << 10, underLimit.length + " bytes");
        List<ProducerRecord<byte[], byte[]>> records = List.of(
                record(topic, "bomb", encoded("bomb", bomb), null, null),
                record(topic, "zeros-4096", encoded("zeros-4096", underLimit), null, null),
                record(topic, "good", image("good", "Bag").build().toByteArray(), null, null));
        send(topic, records);
        // the service's defaults: trainer.dataset.max-bytes=4194304, max-dimension=4096
        RecordValidator production = new RecordValidator(new ValidationLimits(4 << 20, 4096, 4096, RunningLoop.MNIST));
        try (RunningLoop running = RunningLoop.start(kafka, topic, "g-" + UUID.randomUUID(), dir.resolve("dataset"),
                production::validate, 100)) {
            running.awaitCaughtUp(endOffsets(topic));
            assertEquals(2, running.cache.stats().samples());
            assertArrayEquals(new byte[784], running.cache.get("zeros-4096").orElseThrow().pixels());
            assertEquals(Map.of("too-large", 1L), running.ledger.perReason());
        }
        List<ConsumerRecord<byte[], byte[]>> dlq = readAll(topic + ".dlq");
        assertEquals(1, dlq.size());
        assertArrayEquals(records.get(0).value(), dlq.get(0).value());
        assertEquals("too-large", DeadLetters.header(dlq.get(0).headers(), DeadLetters.REASON));
        String message = DeadLetters.header(dlq.get(0).headers(), DeadLetters.MESSAGE);
        assertTrue(message.contains("60000x60000") && message.contains("4096x4096"), message);
    }

    private static byte[] encoded(String id, byte[] file) {
        return LabeledImage.newBuilder().setId(id).setLabel("Bag").setEncoding(ImageEncoding.IMAGE_ENCODING_ENCODED)
                .setImage(ByteString.copyFrom(file)).build().toByteArray();
    }

    @Test
    void aRestartResumesAtTheCacheOffsetsAndADeletedCacheIsRebuiltByReplay(@TempDir Path dir) throws Exception {
        String topic = newTopic(2);
        ingest(topic, 600);
        Map<TopicPartition, Long> ends = endOffsets(topic);
        String group = "g-" + UUID.randomUUID();
        Path cacheDir = dir.resolve("dataset");
        long bytes;
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, cacheDir)) {
            running.awaitCaughtUp(ends);
            assertEquals(600, running.cache.stats().samples());
            bytes = running.cache.stats().bytes();
        }
        // restarted: resumes at the saved offsets, reads nothing again
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, cacheDir)) {
            running.awaitCaughtUp(ends);
            assertEquals(0, running.loop.status().consumedRecords());
            assertEquals(0, running.batches.get());
            assertEquals(600, running.cache.stats().samples());
        }
        // the cache is ahead of the group's committed offsets (a crash between fsync and commit):
        // the cache wins, nothing is read twice
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            Map<TopicPartition, OffsetAndMetadata> back = new HashMap<>();
            ends.keySet().forEach(tp -> back.put(tp, new OffsetAndMetadata(0)));
            admin.alterConsumerGroupOffsets(group, back).all().get();
        }
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, cacheDir)) {
            running.awaitCaughtUp(ends);
            assertEquals(0, running.loop.status().consumedRecords());
        }
        // the directory removed by hand: everything replayed from the beginning of each partition
        deleteRecursively(cacheDir);
        try (RunningLoop running = RunningLoop.start(kafka, topic, group, cacheDir)) {
            running.awaitCaughtUp(ends);
            assertEquals(600, running.loop.status().consumedRecords());
            DatasetCache.Stats stats = running.cache.stats();
            assertEquals(600, stats.samples());
            assertEquals(bytes, stats.bytes());
            assertEquals(offsetMap(ends), running.cache.offsets());
        }
    }

    @Test
    void aBrokerOutageIsRetriedWithBackoffAndLoggedOnceWithoutEndingTheLoop(@TempDir Path dir) throws Exception {
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(IngestLoop.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(String.valueOf(r.getMessage()) + " " + Arrays.toString(r.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        KafkaBroker own = KafkaBroker.start();
        try {
            String topic = "outage-" + UUID.randomUUID();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                records.add(new ProducerRecord<>(topic, ("id-" + i).getBytes(StandardCharsets.UTF_8),
                        image("id-" + i, "Bag").build().toByteArray()));
            }
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, own.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(r).get();
                }
            }
            try (RunningLoop running = RunningLoop.start(own, topic, "g-" + UUID.randomUUID(), dir.resolve("dataset"))) {
                running.awaitCaughtUp(Map.of(new TopicPartition(topic, 0), 10L));
                // a first request slower than the 2 s timeout on a loaded machine may have logged a retry
                // already; what is checked is the outage below: logged once, not once per attempt
                warnings.clear();

                own.close();
                RunningLoop.await(() -> running.loop.status().failedAttempts() >= 3,
                        () -> "the loop did not fail three times without the broker; status " + running.loop.status());
                ConsumerStatus status = running.loop.status();
                assertEquals(ConsumerStatus.State.RETRYING, status.state());
                assertTrue(status.lastError() != null && !status.lastError().isBlank(), status::toString);
                assertEquals(1, warnings.size(), () -> "logged more than once: " + warnings);
                assertTrue(warnings.get(0).contains("retrying"), warnings::toString);
                assertEquals(10, running.cache.stats().samples());
            }
        } finally {
            log.removeHandler(handler);
            own.close();
        }
    }

    @Test
    void withoutABrokerAtStartTheLoopSaysSoAndKeepsTrying(@TempDir Path dir) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (RunningLoop running = RunningLoop.start(java.util.Map.of("bootstrap.servers", "127.0.0.1:" + closedPort), "nowhere", "g", dir.resolve("dataset"),
                RunningLoop.VALIDATOR::validate, 100)) {
            RunningLoop.await(() -> running.loop.status().failedAttempts() >= 2,
                    () -> "the loop did not report the missing broker; status " + running.loop.status());
            ConsumerStatus status = running.loop.status();
            assertEquals(ConsumerStatus.State.RETRYING, status.state());
            assertFalse(status.assigned());
            assertTrue(status.lastError().contains("no answer from Kafka within 2 s"), status.lastError());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String newTopic(int partitions) throws ExecutionException, InterruptedException {
        String topic = "labeled-" + UUID.randomUUID();
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        return topic;
    }

    private static void ingest(String topic, int limit) throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        IngestSummary summary = new IngestCommand(new PrintStream(console, true, StandardCharsets.UTF_8), kafka.clientConfig(),
                FashionMnist.defaultDirectory(), false)
                .run(List.of("--dataset", "fashion-mnist", "--limit", String.valueOf(limit), "--topic", topic));
        assertEquals(limit, summary.sent(), console::toString);
    }

    private static LabeledImage.Builder image(String id, String label) {
        return LabeledImage.newBuilder().setId(id).setLabel(label).setEncoding(ImageEncoding.IMAGE_ENCODING_RAW_U8)
                .setWidth(28).setHeight(28).setChannels(1).setImage(ByteString.copyFrom(new byte[784]));
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value, String header, String headerValue) {
        RecordHeaders headers = new RecordHeaders();
        if (header != null) {
            headers.add(header, headerValue.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    private static void send(String topic, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r).get();
            }
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                query.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(query).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        }
    }

    private static Map<TopicPartition, Long> committed(String group, String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            Map<TopicPartition, Long> result = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, om) -> {
                if (tp.topic().equals(topic)) {
                    result.put(tp, om.offset());
                }
            });
            return result;
        }
    }

    private static Map<String, Long> offsetMap(Map<TopicPartition, Long> ends) {
        Map<String, Long> m = new java.util.TreeMap<>();
        ends.forEach((tp, offset) -> {
            if (offset > 0) {
                m.put(BatchProcessor.offsetKey(tp), offset);
            }
        });
        return m;
    }

    /** Bytes of a cache entry (DatasetCache's format): header, four length-prefixed strings, length-prefixed pixels. */
    private static long entrySize(Sample s) {
        long strings = 0;
        for (String f : List.of(s.id(), s.label(), s.source(), s.split())) {
            strings += 4 + f.getBytes(StandardCharsets.UTF_8).length;
        }
        return 12 + strings + 4 + s.pixels().length;
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return kafka.readAll(topic);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
