package org.supcon.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.KafkaAuthorizationSimple;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka in the rendered deployment is encrypted, authenticated and least-privilege: one TLS listener
 * with SCRAM logins and ACL authorization; each service logs in as the KafkaUser named like its
 * Deployment, with the credential from that user's Secret; the users' ACLs grant what the services'
 * configuration needs, on topics that exist; no credential in a ConfigMap or in the manifests.
 */
class KafkaSecurityTest {

    /** Environment variables whose value is a credential: never a literal, only from a Secret. */
    static final Pattern SECRET_NAME = Pattern.compile(".*(JAAS|PASSWORD|SECRET).*");
    /** A credential as a value: a JAAS login line or a password assignment. */
    static final Pattern SECRET_VALUE = Pattern.compile("(?is).*(LoginModule|password\\s*=|sasl\\.jaas).*");

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theOnlyListenerIsTlsWithScramAndAclsAreEnforced(String overlay) throws Exception {
        Kafka kafka = Rendered.overlay(overlay).one(Kafka.class, "supcon");
        List<GenericKafkaListener> listeners = kafka.getSpec().getKafka().getListeners();
        assertFalse(listeners.isEmpty());
        for (GenericKafkaListener l : listeners) {
            assertTrue(l.isTls(), "listener " + l.getName() + " (" + l.getPort() + ") is not encrypted");
            assertTrue(l.getAuth() instanceof KafkaListenerAuthenticationScramSha512,
                    "listener " + l.getName() + " does not ask for SCRAM-SHA-512 logins: " + l.getAuth());
        }
        assertTrue(kafka.getSpec().getKafka().getAuthorization() instanceof KafkaAuthorizationSimple,
                "the cluster does not check ACLs: " + kafka.getSpec().getKafka().getAuthorization());
        assertNotNull(kafka.getSpec().getEntityOperator().getUserOperator(), "no User Operator to create the KafkaUsers' secrets");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void eachServiceLogsInOverTlsAsItsOwnKafkaUser(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        Kafka kafka = r.one(Kafka.class, "supcon");
        String cluster = kafka.getMetadata().getName();
        for (String service : List.of(ManifestsTest.TRAINER, ManifestsTest.INFERENCE)) {
            Deployment d = r.one(Deployment.class, service);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            Map<String, EnvVar> env = containerEnv(r, c);
            String where = "Deployment " + service;

            String servers = literal(env, "KAFKA_BOOTSTRAP_SERVERS", where);
            GenericKafkaListener listener = kafka.getSpec().getKafka().getListeners().stream()
                    .filter(l -> servers.equals(cluster + "-kafka-bootstrap:" + l.getPort())).findFirst()
                    .orElseThrow(() -> new AssertionError(where + ": KAFKA_BOOTSTRAP_SERVERS " + servers + " is no listener's bootstrap"));
            assertTrue(listener.isTls(), where + " connects to a plain-text listener " + listener.getName());
            assertEquals("SASL_SSL", literal(env, "KAFKA_SECURITY_PROTOCOL", where), where + ": TLS and a login");
            assertEquals(listener.getAuth().getType().toUpperCase(Locale.ROOT), literal(env, "KAFKA_SASL_MECHANISM", where),
                    where + ": the listener's mechanism");

            // the login: the Secret of the KafkaUser named like the Deployment
            KafkaUser user = r.one(KafkaUser.class, service);
            assertTrue(user.getSpec().getAuthentication() instanceof KafkaUserScramSha512ClientAuthentication,
                    "KafkaUser " + service + " has no SCRAM-SHA-512 credential");
            SecretKeySelector jaas = secretRef(env, "KAFKA_SASL_JAAS_CONFIG", where);
            assertEquals(user.getMetadata().getName(), jaas.getName(), where + " logs in with another user's Secret");
            assertEquals("sasl.jaas.config", jaas.getKey(), where + ": the User Operator's key of the JAAS line");

            // trust: the cluster CA certificate, mounted read-only where the trust store points
            assertEquals("PEM", literal(env, "KAFKA_SSL_TRUSTSTORE_TYPE", where));
            String truststore = literal(env, "KAFKA_SSL_TRUSTSTORE_LOCATION", where);
            boolean found = false;
            for (Volume v : pod.getVolumes()) {
                if (v.getSecret() == null || !v.getSecret().getSecretName().equals(cluster + "-cluster-ca-cert")) {
                    continue;
                }
                for (VolumeMount m : c.getVolumeMounts()) {
                    if (!m.getName().equals(v.getName())) {
                        continue;
                    }
                    assertEquals(Boolean.TRUE, m.getReadOnly(), where + ": the CA volume is mounted writable");
                    List<KeyToPath> items = v.getSecret().getItems();
                    for (KeyToPath item : items) {
                        found |= item.getKey().equals("ca.crt") && truststore.equals(m.getMountPath() + "/" + item.getPath());
                    }
                    found |= items.isEmpty() && truststore.equals(m.getMountPath() + "/ca.crt");
                }
            }
            assertTrue(found, where + ": KAFKA_SSL_TRUSTSTORE_LOCATION " + truststore + " is not ca.crt of the mounted secret "
                    + cluster + "-cluster-ca-cert");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void credentialsComeOnlyFromSecretsAndNoneIsInTheManifests(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        assertTrue(r.all(Secret.class).isEmpty(), "a Secret in the manifests is a credential in git: "
                + ManifestsTest.names(r.all(Secret.class)));
        for (ConfigMap cm : r.all(ConfigMap.class)) {
            cm.getData().forEach((k, v) -> {
                assertFalse(SECRET_NAME.matcher(k).matches(), "ConfigMap " + cm.getMetadata().getName() + " holds a credential " + k);
                assertFalse(SECRET_VALUE.matcher(v).matches(), "ConfigMap " + cm.getMetadata().getName() + ": " + k
                        + " looks like a credential");
            });
        }
        Set<String> users = ManifestsTest.names(r.all(KafkaUser.class));
        for (Deployment d : r.all(Deployment.class)) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                for (EnvVar e : containerEnv(r, c).values()) {
                    String where = "Deployment " + d.getMetadata().getName() + ": " + e.getName();
                    if (SECRET_NAME.matcher(e.getName()).matches()) {
                        assertTrue(e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null,
                                where + " is a credential, but not from a Secret");
                    }
                    if (e.getValue() != null) {
                        assertFalse(SECRET_VALUE.matcher(e.getValue()).matches(), where + " looks like a literal credential");
                    }
                    SecretKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
                    if (ref != null && (users.contains(ref.getName()) || e.getName().startsWith("KAFKA_"))) {
                        assertEquals(d.getMetadata().getName(), ref.getName(), where + " reads another Kafka user's Secret");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theUsersAclsGrantWhatTheServicesConfigurationNeedsOnTopicsThatExist(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        String cluster = r.one(Kafka.class, "supcon").getMetadata().getName();
        Set<String> topics = ManifestsTest.names(r.all(KafkaTopic.class));
        String trainerGroup = ManifestsTest.env(r, "trainer-config", "TRAINER_CONSUMER_GROUP_ID");
        for (KafkaUser u : r.all(KafkaUser.class)) {
            String who = "KafkaUser " + u.getMetadata().getName();
            assertEquals(cluster, u.getMetadata().getLabels().get("strimzi.io/cluster"), who + " cluster label");
            assertTrue(u.getSpec().getAuthorization() instanceof KafkaUserAuthorizationSimple, who + " has no simple ACLs");
            for (AclRule rule : acls(u)) {
                if (rule.getResource() instanceof AclRuleTopicResource t) {
                    assertEquals(AclResourcePatternType.LITERAL, t.getPatternType(), who + ": topic ACLs name one topic");
                    assertTrue(topics.contains(t.getName()), who + ": ACL on topic " + t.getName() + ", not a KafkaTopic " + topics);
                } else if (rule.getResource() instanceof AclRuleGroupResource g) {
                    assertEquals(AclResourcePatternType.LITERAL, g.getPatternType(), who + ": group ACLs name one group");
                    assertEquals(trainerGroup, g.getName(), who + ": ACL on group " + g.getName() + ", not the trainer's group");
                } else {
                    throw new AssertionError(who + ": an ACL on " + rule.getResource().getType() + " is more than the services need");
                }
                assertFalse(rule.getOperations().contains(AclOperation.ALL), who + ": operation All is no least privilege");
            }
        }
        KafkaUser trainer = r.one(KafkaUser.class, ManifestsTest.TRAINER);
        String labeled = ManifestsTest.env(r, "trainer-config", "TRAINER_TOPICS_LABELED_IMAGES");
        String dlq = ManifestsTest.env(r, "trainer-config", "TRAINER_TOPICS_DLQ");
        String events = ManifestsTest.env(r, "trainer-config", "TRAINER_TOPICS_MODEL_EVENTS");
        assertTrue(allows(trainer, "topic", labeled, AclOperation.READ), "the trainer cannot read " + labeled);
        assertTrue(allows(trainer, "group", trainerGroup, AclOperation.READ), "the trainer cannot use its group " + trainerGroup);
        assertTrue(allows(trainer, "topic", dlq, AclOperation.WRITE), "the trainer cannot dead-letter to " + dlq);
        assertTrue(allows(trainer, "topic", events, AclOperation.WRITE), "the trainer cannot publish to " + events);
        assertFalse(allows(trainer, "topic", labeled, AclOperation.WRITE), "the trainer may write its own input " + labeled);

        KafkaUser inference = r.one(KafkaUser.class, ManifestsTest.INFERENCE);
        String heard = ManifestsTest.env(r, "inference-config", "INFERENCE_MODEL_EVENTS_TOPIC");
        assertTrue(allows(inference, "topic", heard, AclOperation.READ), "inference cannot read " + heard);
        for (AclRule rule : acls(inference)) {
            assertTrue(Set.of(AclOperation.READ, AclOperation.DESCRIBE).containsAll(rule.getOperations()),
                    "inference may only read, not " + rule.getOperations());
            assertTrue(rule.getResource() instanceof AclRuleTopicResource t && t.getName().equals(heard),
                    "inference may only read " + heard + ", not " + rule.getResource());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void theServicesMayReachKafkaOnlyOnItsTlsListener(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        Kafka kafka = r.one(Kafka.class, "supcon");
        String cluster = kafka.getMetadata().getName();
        Set<Integer> tlsPorts = kafka.getSpec().getKafka().getListeners().stream().filter(GenericKafkaListener::isTls)
                .map(GenericKafkaListener::getPort).collect(java.util.stream.Collectors.toSet());
        for (String service : List.of(ManifestsTest.TRAINER, ManifestsTest.INFERENCE)) {
            PodSpec pod = r.one(Deployment.class, service).getSpec().getTemplate().getSpec();
            List<NetworkPolicy> egress = r.all(NetworkPolicy.class).stream()
                    .filter(np -> np.getSpec().getPolicyTypes().contains("Egress"))
                    .filter(np -> ManifestsTest.podsMatching(r, np.getSpec().getPodSelector()).contains(pod)).toList();
            assertFalse(egress.isEmpty(), service + ": no egress policy, so it may connect anywhere");
            Set<Integer> kafkaPorts = new java.util.HashSet<>();
            for (NetworkPolicy np : egress) {
                for (NetworkPolicyEgressRule rule : np.getSpec().getEgress()) {
                    String where = "NetworkPolicy " + np.getMetadata().getName();
                    assertFalse(rule.getTo().isEmpty(), where + ": an egress rule without 'to' lets " + service + " reach everything");
                    assertFalse(rule.getPorts().isEmpty(), where + ": an egress rule without ports opens every port");
                    boolean toKafka = rule.getTo().stream().anyMatch(peer -> peer.getPodSelector() != null
                            && cluster.equals(peer.getPodSelector().getMatchLabels().get("strimzi.io/cluster")));
                    if (toKafka) {
                        rule.getPorts().forEach(port -> kafkaPorts.add(port.getPort().getIntVal()));
                    }
                }
            }
            assertFalse(kafkaPorts.isEmpty(), service + " may not reach Kafka at all");
            assertTrue(tlsPorts.containsAll(kafkaPorts), service + " may reach Kafka ports " + kafkaPorts
                    + ", not only the TLS listeners " + tlsPorts);
        }
    }

    // ---- helpers

    /** The container's environment as Kubernetes builds it: envFrom ConfigMaps in order, then env, which wins. */
    static Map<String, EnvVar> containerEnv(Rendered r, Container c) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = r.one(ConfigMap.class, from.getConfigMapRef().getName());
                cm.getData().forEach((k, v) -> env.put(k, new EnvVarBuilder().withName(k).withValue(v).build()));
            }
        }
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e);
        }
        return env;
    }

    static String literal(Map<String, EnvVar> env, String name, String where) {
        EnvVar e = env.get(name);
        assertNotNull(e, where + " has no " + name);
        assertNotNull(e.getValue(), where + ": " + name + " is not a plain value");
        return e.getValue();
    }

    static SecretKeySelector secretRef(Map<String, EnvVar> env, String name, String where) {
        EnvVar e = env.get(name);
        assertNotNull(e, where + " has no " + name);
        assertTrue(e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null, where + ": " + name + " is not from a Secret");
        return e.getValueFrom().getSecretKeyRef();
    }

    static List<AclRule> acls(KafkaUser u) {
        return ((KafkaUserAuthorizationSimple) u.getSpec().getAuthorization()).getAcls();
    }

    /** Whether an allow rule of {@code u} grants {@code op} (or All) on the named topic or group. */
    static boolean allows(KafkaUser u, String type, String name, AclOperation op) {
        for (AclRule rule : acls(u)) {
            String ruleName;
            AclResourcePatternType pattern;
            if (rule.getResource() instanceof AclRuleTopicResource t && type.equals("topic")) {
                ruleName = t.getName();
                pattern = t.getPatternType();
            } else if (rule.getResource() instanceof AclRuleGroupResource g && type.equals("group")) {
                ruleName = g.getName();
                pattern = g.getPatternType();
            } else {
                continue;
            }
            boolean matches = pattern == AclResourcePatternType.PREFIX ? name.startsWith(ruleName) : name.equals(ruleName);
            if (matches && rule.getType() != AclRuleType.DENY
                    && (rule.getOperations().contains(op) || rule.getOperations().contains(AclOperation.ALL))) {
                return true;
            }
        }
        return false;
    }
}
