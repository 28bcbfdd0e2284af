package org.supcon.k8s;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration properties a service really reads: every key of its {@code @ConfigMapping}
 * interface (walked by reflection, as SmallRye Config names them) plus the keys set in its
 * {@code application.properties}; and their environment-variable forms.
 */
final class ConfigKeys {

    private ConfigKeys() {
    }

    static Set<String> of(Class<?> mapping, Path applicationProperties) throws IOException {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null) {
            throw new IllegalArgumentException(mapping + " is not a @ConfigMapping");
        }
        Set<String> keys = new TreeSet<>();
        walk(mapping, annotation.prefix(), keys);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(applicationProperties)) {
            p.load(r);
        }
        for (String k : p.stringPropertyNames()) {
            // %test.x=... is a profile override of x
            keys.add(k.startsWith("%") ? k.substring(k.indexOf('.') + 1) : k);
        }
        return keys;
    }

    private static void walk(Class<?> type, String prefix, Set<String> keys) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.isDefault()) {
                continue;
            }
            WithName withName = m.getAnnotation(WithName.class);
            String name = withName != null ? withName.value() : kebab(m.getName());
            String key = prefix + "." + name;
            Class<?> r = m.getReturnType();
            if (r.isInterface() && r.getName().startsWith("org.supcon")) {
                walk(r, key, keys);
            } else {
                keys.add(key);
            }
        }
    }

    static String kebab(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('-').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * {@code kafka.<name>} for every setting a Kafka consumer, producer or admin client knows: the
     * properties the services pass through to their clients.
     */
    static Set<String> kafkaClientKeys() {
        Set<String> keys = new TreeSet<>();
        for (Set<String> names : List.of(org.apache.kafka.clients.consumer.ConsumerConfig.configNames(),
                org.apache.kafka.clients.producer.ProducerConfig.configNames(),
                org.apache.kafka.clients.admin.AdminClientConfig.configNames())) {
            names.forEach(n -> keys.add("kafka." + n));
        }
        return keys;
    }

    /**
     * Framework settings that turn on TLS, which no service sets in its own files: the default
     * configuration of the Quarkus TLS registry (a PEM key pair named "0") and plain HTTP off.
     * inference's TlsTest serves REST, gRPC and the management port with exactly these, and the
     * packaged service was checked with their environment forms (README "Security").
     */
    static Set<String> tlsKeys() {
        return Set.of("quarkus.tls.key-store.pem.\"0\".cert", "quarkus.tls.key-store.pem.\"0\".key",
                "quarkus.http.insecure-requests");
    }

    /** SmallRye's environment-variable form: upper case, every non-alphanumeric character as '_'. */
    static String env(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
