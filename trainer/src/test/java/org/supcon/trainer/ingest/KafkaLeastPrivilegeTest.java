package org.supcon.trainer.ingest;

import org.supcon.trainer.producer.IngestCommand;
import org.supcon.trainer.producer.IngestSummary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.common.repository.ModelCard;
import org.supcon.proto.v1.ModelPublished;
import org.supcon.trainer.images.FashionMnist;
import org.supcon.testing.kafka.KafkaBroker;
import org.supcon.testing.kafka.StrimziAcls;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.service.ModelEventsProducer;

/**
 * The deployment's Kafka users on a real broker that asks for SCRAM logins and authorizes with ACLs:
 * the users {@code supcon-trainer} and {@code supcon-inference} get exactly the ACLs of their
 * {@code KafkaUser} manifests in {@code k8s/base/kafka/users.yaml} (translated by {@link StrimziAcls}),
 * and the services' own client code, configured only through the passed-through {@code kafka.*}
 * settings, does its work and is refused the rest.
 */
class KafkaLeastPrivilegeTest {

    static final String TRAINER = "supcon-trainer";
    static final String INFERENCE = "supcon-inference";
    static final String LABELED = "labeled-images";
    static final String DLQ = "labeled-images.dlq";
    static final String EVENTS = "model-events";
    /** trainer.consumer.group-id's default, which the k8s ConfigMap keeps and the trainer's ACL names. */
    static final String GROUP = "supcon-trainer";

    static KafkaBroker kafka;
    static Map<String, Object> trainer;
    static Map<String, Object> inference;

    @BeforeAll
    static void up() throws Exception {
        kafka = KafkaBroker.startWithScram();
        String trainerPassword = UUID.randomUUID().toString();
        String inferencePassword = UUID.randomUUID().toString();
        kafka.createScramUser(TRAINER, trainerPassword);
        kafka.createScramUser(INFERENCE, inferencePassword);
        trainer = kafka.clientConfig(TRAINER, trainerPassword);
        inference = kafka.clientConfig(INFERENCE, inferencePassword);
        Map<String, List<AclBinding>> users = StrimziAcls.read(StrimziAcls.deploymentUsers());
        assertEquals(Set.of(TRAINER, INFERENCE), users.keySet(), "the KafkaUsers of k8s/base/kafka/users.yaml");
        List<AclBinding> acls = users.values().stream().flatMap(List::stream).toList();
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            // the topics exist before the services start (Strimzi's KafkaTopics); neither user may create one
            admin.createTopics(List.of(new NewTopic(LABELED, 1, (short) 1), new NewTopic(DLQ, 1, (short) 1),
                    new NewTopic(EVENTS, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        kafka.createAcls(acls);
    }

    @AfterAll
    static void down() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        Map<String, Object> wrong = new HashMap<>(kafka.clientConfig(TRAINER, "not-the-password"));
        wrong.put("default.api.timeout.ms", 10_000);
        wrong.put("request.timeout.ms", 5_000);
        try (Admin admin = Admin.create(wrong)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().nodes().get(20, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.getCause()::toString);
        }
    }

    @Test
    void theTrainerConsumesLabeledImagesInItsGroupAndDeadLettersAPoisonRecord(@TempDir Path dir) throws Exception {
        long dlqBefore = kafka.readAll(DLQ).size();
        // the dataset, published by the ingest command as the admin (neither service may write it)
        IngestSummary sent = new IngestCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                kafka.clientConfig(), FashionMnist.defaultDirectory(), false)
                .run(List.of("--dataset", "fashion-mnist", "--limit", "4", "--topic", LABELED));
        assertEquals(4, sent.sent());
        try (KafkaProducer<byte[], byte[]> admin = new KafkaProducer<>(kafka.clientConfig(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            admin.send(new ProducerRecord<>(LABELED, "poison".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, 0x01}))
                    .get(30, TimeUnit.SECONDS);
        }
        TopicPartition p0 = new TopicPartition(LABELED, 0);
        long end;
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            end = admin.listOffsets(Map.of(p0, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(p0).offset();
        }
        // the loop and the clients of `serve` (DatasetClients), logged in as the trainer
        try (RunningLoop running = RunningLoop.start(trainer, LABELED, GROUP, dir.resolve("dataset"),
                RunningLoop.VALIDATOR::validate, 100)) {
            running.awaitCaughtUp(Map.of(p0, end));
            assertEquals(4, running.cache.stats().samples(), "samples cached");
            assertEquals(1, running.ledger.total(), "the poison record is dead-lettered");
        }
        List<ConsumerRecord<byte[], byte[]>> dlq = kafka.readAll(DLQ);
        assertEquals(dlqBefore + 1, dlq.size(), "one more record in " + DLQ);
        assertEquals("poison", new String(dlq.get(dlq.size() - 1).key(), StandardCharsets.UTF_8));
        try (Admin admin = Admin.create(kafka.adminConfig())) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(end, committed.get(p0).offset(), "the trainer commits in its group");
        }
    }

    @Test
    void theTrainerPublishesModelEventsAndInferenceHearsThemWithoutAGroup(@TempDir Path dir) throws Exception {
        String model = "fashion-mnist-supcon";
        long version = 100 + (System.nanoTime() & 0xffff);
        ModelCard card = new ModelCard(model, version, List.of("T-shirt/top", "Trouser"), Map.of("accuracy", 0.9), Map.of(),
                "0".repeat(64), 1234, Instant.now().toString(), 1, 28, 28, "run-1");
        PublishedVersion published = new PublishedVersion(model, version, dir, dir.resolve("model.onnx"), card);
        ModelEventsProducer producer = new ModelEventsProducer(EVENTS, trainer);
        try {
            producer.published(published, "run-1");
        } finally {
            producer.close();
        }
        List<ModelPublished> heard = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(EVENTS, inference)) {
            heard.add(ModelPublished.parseFrom(r.value()));
        }
        assertTrue(heard.stream().anyMatch(e -> e.getModelName().equals(model) && e.getVersion() == version),
                "inference read the event of v" + version + ": " + heard);
    }

    @Test
    void inferenceMayNeitherWriteModelEventsNorReadLabeledImages() {
        // a plain producer: its write to model-events is refused
        Map<String, Object> plain = new HashMap<>(inference);
        plain.put("enable.idempotence", "false");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(plain, new ByteArraySerializer(), new ByteArraySerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(EVENTS, new byte[] {1})).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.getCause()::toString);
            assertEquals(Set.of(EVENTS), ((TopicAuthorizationException) e.getCause()).unauthorizedTopics());
        }
        // an idempotent one (the default) is refused its producer id already: the user may write no topic at all.
        // The refusal arrives through the future when send() runs before the producer id request fails, or
        // from send() itself (a KafkaException caused by it) once the producer knows: both are the same refusal.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(inference, new ByteArraySerializer(), new ByteArraySerializer())) {
            Exception e = assertThrows(Exception.class,
                    () -> producer.send(new ProducerRecord<>(EVENTS, new byte[] {1})).get(30, TimeUnit.SECONDS));
            assertInstanceOf(ClusterAuthorizationException.class, e.getCause(), () -> describe(e));
        }
        TopicAuthorizationException e = assertThrows(TopicAuthorizationException.class, () -> kafka.readAll(LABELED, inference));
        assertEquals(Set.of(LABELED), e.unauthorizedTopics());
    }

    @Test
    void theTrainerMayNotWriteItsOwnInput() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        // the ingest command's producer, as the trainer: every record refused by the broker, reported per record
        IngestSummary summary = new IngestCommand(new PrintStream(console, true, StandardCharsets.UTF_8), trainer,
                FashionMnist.defaultDirectory(), false)
                .run(List.of("--dataset", "fashion-mnist", "--limit", "3", "--topic", LABELED));
        assertEquals(0, summary.sent(), console::toString);
        assertEquals(3, summary.failed(), console::toString);
        assertTrue(summary.reasons().stream().allMatch(r -> r.contains("TopicAuthorizationException")), summary.reasons()::toString);
    }

    private static String describe(Throwable e) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(chain.isEmpty() ? "" : " <- ").append(t);
        }
        return chain.toString();
    }
}
