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
import org.apache.kafka.common.acl.AclBinding;
import org.supcon.testing.kafka.KafkaBroker;
import org.supcon.testing.kafka.StrimziAcls;

/**
 * A real broker with the model-events topic for a {@code @QuarkusTest}; turns the listener on and
 * the repository poll practically off, so that only an event can make the service look. The broker
 * asks for SCRAM logins and authorizes with ACLs: the service logs in as {@value #USER}, with the
 * ACLs of that KafkaUser in {@code k8s/base/kafka/users.yaml} (Read and Describe on model-events),
 * through the same {@code kafka.*} properties the Kubernetes deployment sets as {@code KAFKA_*} variables.
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
            }
            // the service's ACLs as the deployment defines them (k8s/base/kafka/users.yaml)
            List<AclBinding> acls = StrimziAcls.read(StrimziAcls.deploymentUsers()).get(USER);
            broker.createAcls(acls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("preparing the broker (topic, user, ACLs) failed", e);
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
