package org.supcon.trainer.config;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The settings every Kafka client of the trainer starts from: each configuration property under
 * {@code kafka.}, with the prefix removed ({@code kafka.security.protocol} becomes the client's
 * {@code security.protocol}). They come from application.properties, system properties
 * ({@code -Dkafka.sasl.mechanism=...}) and environment variables, where the name is upper case with
 * {@code _} for {@code .} ({@code KAFKA_SASL_JAAS_CONFIG} becomes {@code sasl.jaas.config}: the form
 * Kubernetes passes, e.g. from a Secret). The rule is the one of Quarkus' {@code kafka-client}
 * extension ({@code @Identifier("default-kafka-broker")}), which the inference service uses, so one
 * set of {@code KAFKA_*} variables configures both services.
 *
 * <p>A client adds its own settings (serializers, group id, acks, idempotence...) with
 * {@link #with(Map, Map)}; those win over the passed-through ones, since the client's code depends on them.
 */
public final class KafkaClientConfig {

    /** The configuration prefix of Kafka client properties. */
    public static final String PREFIX = "kafka.";
    /** The address when none is configured (a local {@code dev/kafka} broker). */
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    private KafkaClientConfig() {
    }

    /**
     * The {@code kafka.*} properties of {@code config}, without the prefix. Each value is read by its
     * dotted name, so that of several sources the one with the highest ordinal wins (a system
     * property over an environment variable over application.properties).
     */
    public static Map<String, Object> from(Config config) {
        return map(config.getPropertyNames(), name -> config.getOptionalValue(name, String.class));
    }

    /**
     * {@link #from(Config)} of the application's configuration; where there is no configuration
     * runtime (plain unit tests) the system properties alone.
     */
    public static Map<String, Object> fromConfig() {
        Config config;
        try {
            config = ConfigProvider.getConfig();
        } catch (RuntimeException e) {
            return map(System.getProperties().stringPropertyNames(), name -> Optional.ofNullable(System.getProperty(name)));
        }
        return from(config);
    }

    /**
     * The client settings named by {@code names} (any case; {@code _} stands for {@code .}), each
     * value read through {@code value} by its dotted name {@code kafka.<key>}; blank values are left out.
     */
    static Map<String, Object> map(Iterable<String> names, Function<String, Optional<String>> value) {
        Map<String, Object> out = new TreeMap<>();
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith(PREFIX) && !lower.startsWith("kafka_")) {
                continue;
            }
            // Kafka's own names are lower case with '.' and never '_', so the environment form maps back exactly.
            String key = lower.substring(PREFIX.length()).replace('_', '.');
            if (key.isEmpty() || out.containsKey(key)) {
                continue;
            }
            Optional<String> v = value.apply(PREFIX + key).or(() -> value.apply(name));
            v.filter(s -> !s.isBlank()).ifPresent(s -> out.put(key, s));
        }
        return out;
    }

    /**
     * {@code passthrough} with {@code clientSpecific} on top: the client's own settings win, since
     * its code depends on them (a deserializer, its group, {@code acks=all} with idempotence).
     */
    public static Map<String, Object> with(Map<String, Object> passthrough, Map<String, Object> clientSpecific) {
        Map<String, Object> out = new HashMap<>(passthrough);
        out.putAll(clientSpecific);
        return out;
    }

    /** The {@code bootstrap.servers} of {@code config}, or {@value #DEFAULT_BOOTSTRAP}: for messages. */
    public static String bootstrapServers(Map<String, Object> config) {
        Object v = config.get("bootstrap.servers");
        return v == null ? DEFAULT_BOOTSTRAP : v.toString();
    }

    /**
     * {@code config} with {@code bootstrap.servers} set to {@value #DEFAULT_BOOTSTRAP} if it has none,
     * for clients that should find a local broker without configuration.
     */
    public static Map<String, Object> withDefaultBootstrap(Map<String, Object> config) {
        if (config.containsKey("bootstrap.servers")) {
            return config;
        }
        Map<String, Object> out = new HashMap<>(config);
        out.put("bootstrap.servers", DEFAULT_BOOTSTRAP);
        return out;
    }
}
