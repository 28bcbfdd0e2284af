package org.supcon.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code kafka.*} passthrough read from a real SmallRye configuration with Quarkus' source ordinals. */
class KafkaClientConfigTest {

    /** application.properties (250), environment (300), system properties (400), as in Quarkus. */
    static SmallRyeConfig config(Map<String, String> applicationProperties, Map<String, String> env, Map<String, String> sys) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(applicationProperties, "application.properties", 250))
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new PropertiesConfigSource(sys, "system", 400))
                .build();
    }

    @Test
    void environmentVariablesBecomeDottedClientSettings() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";";
        SmallRyeConfig c = config(Map.of("kafka.bootstrap.servers", "localhost:9092"),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "supcon-kafka-bootstrap:9093",
                        "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                        "KAFKA_SASL_JAAS_CONFIG", jaas,
                        "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                        "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka-ca/ca.crt",
                        "TRAINER_DATA_DIR", "/data",
                        "PATH", "/usr/bin"),
                Map.of());
        assertEquals(Map.of("bootstrap.servers", "supcon-kafka-bootstrap:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", jaas,
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", "/etc/kafka-ca/ca.crt"), KafkaClientConfig.from(c));
    }

    @Test
    void theSourceWithTheHighestOrdinalWinsWhateverTheNameForm() {
        SmallRyeConfig c = config(Map.of("kafka.bootstrap.servers", "from-properties:1", "kafka.client.rack", "rack-a",
                        "quarkus.kafka.devservices.enabled", "false", "kafkaesque.key", "x"),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "from-env:2", "KAFKA_SASL_MECHANISM", "PLAIN"),
                Map.of("kafka.bootstrap.servers", "from-system:3", "kafka.linger.ms", "5", "kafka.acks", " "));
        // the system property beats the environment, which beats application.properties; blank is unset
        assertEquals(Map.of("bootstrap.servers", "from-system:3", "client.rack", "rack-a", "sasl.mechanism", "PLAIN",
                "linger.ms", "5"), KafkaClientConfig.from(c));
    }

    @Test
    void theClientsOwnSettingsWin() {
        Map<String, Object> merged = KafkaClientConfig.with(
                Map.of("bootstrap.servers", "b:1", "acks", "0", "group.id", "someone-else", "security.protocol", "SASL_SSL"),
                Map.of("acks", "all", "group.id", "supcon-trainer"));
        assertEquals(Map.of("bootstrap.servers", "b:1", "acks", "all", "group.id", "supcon-trainer", "security.protocol", "SASL_SSL"),
                merged);
    }

    @Test
    void aMissingAddressIsTheLocalDefault() {
        assertEquals(Map.of("bootstrap.servers", "localhost:9092", "security.protocol", "PLAINTEXT"),
                KafkaClientConfig.withDefaultBootstrap(Map.of("security.protocol", "PLAINTEXT")));
        assertEquals(Map.of("bootstrap.servers", "b:1"), KafkaClientConfig.withDefaultBootstrap(Map.of("bootstrap.servers", "b:1")));
        assertEquals("localhost:9092", KafkaClientConfig.bootstrapServers(Map.of()));
    }
}
