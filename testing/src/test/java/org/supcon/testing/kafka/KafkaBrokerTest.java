package org.supcon.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.supcon.testing.Ports;

class KafkaBrokerTest {

    @Test
    void startsARealBrokerAndCleansUpAfterIt() throws Exception {
        Path dir;
        KafkaBroker kafka = KafkaBroker.start();
        try {
            dir = kafka.directory();
            assertTrue(kafka.isRunning());
            assertTrue(kafka.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), kafka.bootstrapServers());
            try (Admin admin = Admin.create(kafka.adminConfig())) {
                admin.createTopics(List.of(new NewTopic("greetings", 2, (short) 1))).all().get();
                assertTrue(admin.listTopics().names().get().contains("greetings"));
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("greetings", 1, "k", "hello")).get();
            }
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringDeserializer(), new StringDeserializer())) {
                TopicPartition p1 = new TopicPartition("greetings", 1);
                consumer.assign(Set.of(p1));
                consumer.seekToBeginning(Set.of(p1));
                List<String> values = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.key() + "=" + r.value()));
                }
                assertEquals(List.of("k=hello"), values);
            }
            assertTrue(Files.isDirectory(dir.resolve("data")));
        } finally {
            kafka.close();
        }
        assertFalse(kafka.isRunning());
        assertFalse(Files.exists(dir), dir + " still exists");
    }

    @Test
    void picksNewPortsWhenTheChosenOneIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicInteger picks = new AtomicInteger();
            try (KafkaBroker kafka = KafkaBroker.start(null,
                    () -> picks.getAndIncrement() == 0 ? taken.getLocalPort() : Ports.free())) {
                assertEquals(4, picks.get(), "two ports per attempt, two attempts");
                assertNotEquals("127.0.0.1:" + taken.getLocalPort(), kafka.bootstrapServers());
                try (Admin admin = Admin.create(kafka.adminConfig())) {
                    assertEquals(1, admin.describeCluster().nodes().get().size());
                }
            }
        }
    }
}
