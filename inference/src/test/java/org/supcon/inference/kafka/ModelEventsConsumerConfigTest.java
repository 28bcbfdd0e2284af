package org.supcon.inference.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The consumer's settings: the passed-through {@code kafka.*} ones, its own on top, and no group. */
class ModelEventsConsumerConfigTest {

    @Test
    void passedThroughSettingsReachTheConsumerAndItsOwnWin() {
        Map<String, Object> kafka = Map.of("bootstrap.servers", "b:9093", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", "x required;", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", "/etc/kafka-ca/ca.crt",
                // the extension's default group (the application name), and a setting the code depends on
                "group.id", "supcon-inference", "enable.auto.commit", "true");
        Map<String, Object> c = ModelEventsConsumer.consumerConfig(kafka, "b:9093");
        for (String key : new String[] {"security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.type",
                "ssl.truststore.location"}) {
            assertEquals(kafka.get(key), c.get(key), key);
        }
        assertEquals("b:9093", c.get("bootstrap.servers"));
        assertFalse(c.containsKey("group.id"), "group-less: a group would need its own ACL");
        assertEquals("false", c.get("enable.auto.commit"));
        assertEquals("org.apache.kafka.common.serialization.ByteArrayDeserializer", c.get("value.deserializer"));
        assertTrue(c.get("client.id").toString().startsWith("inference-model-events-"));
    }
}
