package org.supcon.inference.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.supcon.trainer.kafka.KafkaBroker;

/**
 * A real broker with the model-events topic for a {@code @QuarkusTest}; turns the listener on and
 * the repository poll practically off, so that only an event can make the service look. The broker
 * asks for SCRAM logins and authorizes with ACLs: the service logs in as {@value #USER}, allowed
 * only Read and Describe on model-events (as the KafkaUser in k8s/), through the same
 * {@code kafka.*} properties the Kubernetes deployment sets as {@code KAFKA_*} variables.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    static final String USER = "supcon-inference";
    static volatile KafkaBroker broker;
    private String password;

    @Override
    public Map<String, String> start() {
        try {
            broker = KafkaBroker.startWithScram();
            password = UUID.randomUUID().toString();
            broker.createScramUser(USER, password);
            try (Admin admin = Admin.create(broker.adminConfig())) {
                admin.createTopics(List.of(new NewTopic("model-events", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, "model-events", PatternType.LITERAL);
                List<AclBinding> acls = List.of(AclOperation.READ, AclOperation.DESCRIBE).stream()
                        .map(op -> new AclBinding(topic, new AccessControlEntry("User:" + USER, "*", op, AclPermissionType.ALLOW)))
                        .toList();
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
                // the broker applies ACLs from the metadata log: wait until it answers with them
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS).size() < acls.size()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not show the ACLs within 30 s");
                    }
                    Thread.sleep(100);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("creating the model-events topic failed", e);
        }
        Map<String, Object> login = broker.clientConfig(USER, password);
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                "kafka.security.protocol", (String) login.get("security.protocol"),
                "kafka.sasl.mechanism", (String) login.get("sasl.mechanism"),
                "kafka.sasl.jaas.config", (String) login.get("sasl.jaas.config"),
                "inference.kafka.enabled", "true",
                "inference.poll-interval", "1h");
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
