package org.supcon.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders each overlay with {@code kubectl kustomize} and checks that it is a complete, coherent
 * deployment: every document binds strictly to the kind it claims, and every reference resolves.
 */
class ManifestsTest {

    static final String TRAINER = "supcon-trainer";
    static final String INFERENCE = "supcon-inference";
    /** The health endpoints the services serve (quarkus-smallrye-health at its default root). */
    static final Set<String> HEALTH_PATHS = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void overlayRendersACompleteDeployment(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        Kafka kafka = r.one(Kafka.class, "supcon");
        KafkaNodePool pool = r.all(KafkaNodePool.class).stream().findFirst().orElseThrow(() -> new AssertionError("no KafkaNodePool"));
        assertTrue(pool.getSpec().getRoles().containsAll(List.of(ProcessRoles.CONTROLLER, ProcessRoles.BROKER)),
                "a KRaft node pool holds controllers and brokers: " + pool.getSpec().getRoles());
        assertEquals(Set.of("labeled-images", "labeled-images.dlq", "model-events"),
                r.all(KafkaTopic.class).stream().map(t -> t.getMetadata().getName()).collect(Collectors.toSet()));
        assertEquals(1, r.one(Deployment.class, TRAINER).getSpec().getReplicas(), "one trainer");
        r.one(Deployment.class, INFERENCE);
        r.one(Service.class, INFERENCE);
        r.one(Service.class, TRAINER);
        r.one(HorizontalPodAutoscaler.class, INFERENCE);
        r.one(PodDisruptionBudget.class, INFERENCE);
        assertFalse(r.all(NetworkPolicy.class).isEmpty());
        assertNotNull(kafka.getSpec().getKafka().getListeners());
        for (Rendered.Doc d : r.docs) {
            assertEquals("supcon", d.resource().getMetadata().getNamespace() == null && d.resource().getKind().equals("Namespace")
                    ? "supcon" : d.resource().getMetadata().getNamespace(), d.describe() + " namespace");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void servicesSelectPodsAndTheirPorts(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        for (Service s : r.all(Service.class)) {
            List<PodSpec> pods = podsMatching(r, s.getSpec().getSelector());
            assertFalse(pods.isEmpty(), "Service " + s.getMetadata().getName() + " selects no pods: " + s.getSpec().getSelector());
            for (ServicePort port : s.getSpec().getPorts()) {
                String target = port.getTargetPort().getStrVal();
                for (PodSpec pod : pods) {
                    assertTrue(target == null ? containerPorts(pod).stream().anyMatch(p -> p.getContainerPort().equals(port.getTargetPort().getIntVal()))
                            : containerPorts(pod).stream().anyMatch(p -> target.equals(p.getName())),
                            "Service " + s.getMetadata().getName() + " port " + port.getName() + " targets " + port.getTargetPort()
                                    + ", which the pod does not expose");
                }
            }
        }
        HorizontalPodAutoscaler hpa = r.one(HorizontalPodAutoscaler.class, INFERENCE);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        r.one(Deployment.class, hpa.getSpec().getScaleTargetRef().getName());
        for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
            assertFalse(podsMatching(r, pdb.getSpec().getSelector()).isEmpty(), "PDB " + pdb.getMetadata().getName() + " selects no pods");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void volumesConfigAndProbesResolve(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        Set<String> claims = names(r.all(PersistentVolumeClaim.class));
        Set<String> configMaps = names(r.all(ConfigMap.class));
        for (Deployment d : r.all(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            String where = "Deployment " + d.getMetadata().getName();
            assertTrue(podsMatching(r, d.getSpec().getSelector().getMatchLabels()).contains(pod), where + ": selector does not match its template");
            Set<String> volumes = new java.util.HashSet<>();
            for (Volume v : pod.getVolumes()) {
                volumes.add(v.getName());
                if (v.getPersistentVolumeClaim() != null) {
                    assertTrue(claims.contains(v.getPersistentVolumeClaim().getClaimName()),
                            where + ": volume " + v.getName() + " claims " + v.getPersistentVolumeClaim().getClaimName() + ", not in " + claims);
                }
            }
            for (Container c : pod.getContainers()) {
                c.getVolumeMounts().forEach(m -> assertTrue(volumes.contains(m.getName()), where + ": mount of unknown volume " + m.getName()));
                for (EnvFromSource e : c.getEnvFrom()) {
                    if (e.getConfigMapRef() != null) {
                        assertTrue(configMaps.contains(e.getConfigMapRef().getName()),
                                where + ": envFrom ConfigMap " + e.getConfigMapRef().getName() + " not in " + configMaps);
                    }
                }
                Set<String> ports = c.getPorts().stream().map(ContainerPort::getName).collect(Collectors.toSet());
                for (Probe p : Stream.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe()).filter(Objects::nonNull).toList()) {
                    HTTPGetAction get = p.getHttpGet();
                    assertNotNull(get, where + ": probes are HTTP health checks");
                    assertTrue(HEALTH_PATHS.contains(get.getPath()), where + ": probe path " + get.getPath() + " is not one of " + HEALTH_PATHS);
                    assertTrue(ports.contains(get.getPort().getStrVal()), where + ": probe port " + get.getPort() + " is not a named port " + ports);
                }
                assertNotNull(c.getReadinessProbe(), where + ": readiness probe");
                assertNotNull(c.getLivenessProbe(), where + ": liveness probe");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void podsRunAsNonRootWithReadOnlyRootAndLimits(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        for (Deployment d : r.all(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            String where = "Deployment " + d.getMetadata().getName();
            assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), where + " runAsNonRoot");
            for (Container c : pod.getContainers()) {
                assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), where + " readOnlyRootFilesystem");
                assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), where + " allowPrivilegeEscalation");
                assertTrue(c.getSecurityContext().getCapabilities().getDrop().contains("ALL"), where + " drops all capabilities");
                assertNotNull(c.getResources().getRequests().get("memory"), where + " memory request");
                assertNotNull(c.getResources().getLimits().get("memory"), where + " memory limit");
            }
        }
    }

    @Test
    void onlyTheGpuOverlayAsksForGpus() throws Exception {
        Rendered gpu = Rendered.overlay("gpu");
        Rendered cpu = Rendered.overlay("cpu");
        for (String name : List.of(TRAINER, INFERENCE)) {
            PodSpec g = gpu.one(Deployment.class, name).getSpec().getTemplate().getSpec();
            Quantity limit = g.getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu");
            assertNotNull(limit, name + " requests a GPU in the gpu overlay");
            assertEquals("1", limit.getAmount());
            assertFalse(g.getNodeSelector().isEmpty(), name + " is scheduled on GPU nodes");
            assertTrue(g.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())), name + " tolerates the GPU taint");
            PodSpec c = cpu.one(Deployment.class, name).getSpec().getTemplate().getSpec();
            assertTrue(c.getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu") == null, name + " asks for no GPU on cpu");
        }
        assertEquals("gpu", env(gpu, "trainer-config", "TRAINER_DEVICE"));
        assertEquals("cuda", env(gpu, "inference-config", "INFERENCE_DEVICE"));
        assertEquals("cpu", env(cpu, "trainer-config", "TRAINER_DEVICE"));
        assertEquals("cpu", env(cpu, "inference-config", "INFERENCE_DEVICE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void kafkaResourcesAndClientSettingsAgree(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        Kafka kafka = r.one(Kafka.class, "supcon");
        String cluster = kafka.getMetadata().getName();
        for (KafkaTopic t : r.all(KafkaTopic.class)) {
            assertEquals(cluster, t.getMetadata().getLabels().get("strimzi.io/cluster"), "topic " + t.getMetadata().getName() + " cluster label");
        }
        for (KafkaNodePool p : r.all(KafkaNodePool.class)) {
            assertEquals(cluster, p.getMetadata().getLabels().get("strimzi.io/cluster"), "node pool cluster label");
        }
        Set<String> topics = names(r.all(KafkaTopic.class));
        Set<String> bootstraps = new java.util.HashSet<>();
        for (GenericKafkaListener l : kafka.getSpec().getKafka().getListeners()) {
            bootstraps.add(cluster + "-kafka-bootstrap:" + l.getPort());
            for (NetworkPolicyPeer peer : l.getNetworkPolicyPeers()) {
                assertFalse(podsMatching(r, peer.getPodSelector()).isEmpty(), "listener " + l.getName() + " peer selects no pod: " + peer);
            }
        }
        // both services connect through the shared kafka-client ConfigMap (KafkaSecurityTest checks the listener's security)
        String servers = env(r, "kafka-client", "KAFKA_BOOTSTRAP_SERVERS");
        assertTrue(bootstraps.contains(servers), "kafka-client: KAFKA_BOOTSTRAP_SERVERS " + servers + " is not a listener of the cluster " + bootstraps);
        for (String key : List.of("TRAINER_TOPICS_LABELED_IMAGES", "TRAINER_TOPICS_DLQ", "TRAINER_TOPICS_MODEL_EVENTS",
                "INFERENCE_MODEL_EVENTS_TOPIC")) {
            String topic = env(r, key.startsWith("TRAINER") ? "trainer-config" : "inference-config", key);
            assertTrue(topics.contains(topic), key + "=" + topic + " is not a KafkaTopic " + topics);
        }
        assertEquals(env(r, "trainer-config", "TRAINER_TOPICS_MODEL_EVENTS"), env(r, "inference-config", "INFERENCE_MODEL_EVENTS_TOPIC"),
                "the inference service hears the topic the trainer publishes to");
        assertEquals(env(r, "trainer-config", "TRAINER_MODEL_NAME"), env(r, "inference-config", "INFERENCE_MODEL_NAME"),
                "the inference service serves the model the trainer publishes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void networkPoliciesSelectPodsAndNamedPorts(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        for (NetworkPolicy np : r.all(NetworkPolicy.class)) {
            List<PodSpec> pods = podsMatching(r, np.getSpec().getPodSelector());
            assertFalse(pods.isEmpty(), "NetworkPolicy " + np.getMetadata().getName() + " selects no pods");
            for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
                for (NetworkPolicyPort port : rule.getPorts()) {
                    String name = port.getPort().getStrVal();
                    for (PodSpec pod : pods) {
                        assertTrue(containerPorts(pod).stream().anyMatch(p -> p.getName().equals(name)),
                                "NetworkPolicy " + np.getMetadata().getName() + " opens port " + name + ", which a selected pod lacks");
                    }
                }
                assertFalse(rule.getFrom().isEmpty(), "NetworkPolicy " + np.getMetadata().getName() + ": an ingress rule without 'from' admits everyone");
            }
        }
        // Each service's pods are covered by the default deny.
        NetworkPolicy deny = r.one(NetworkPolicy.class, "default-deny-ingress");
        assertTrue(deny.getSpec().getIngress().isEmpty());
        List<PodSpec> denied = podsMatching(r, deny.getSpec().getPodSelector());
        for (String name : List.of(TRAINER, INFERENCE)) {
            assertTrue(denied.contains(r.one(Deployment.class, name).getSpec().getTemplate().getSpec()), name + " is not under the default deny");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void configMapKeysAreTheServicesRealConfiguration(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        java.nio.file.Path root = Rendered.k8sDir().getParent();
        Set<String> trainer = ConfigKeys.of(org.supcon.trainer.config.TrainerConfig.class,
                root.resolve("trainer/src/main/resources/application.properties"));
        assertKeysKnown(r, "trainer-config", trainer);
        Set<String> inference = ConfigKeys.of(org.supcon.inference.config.InferenceConfig.class,
                root.resolve("inference/src/main/resources/application.properties"));
        assertKeysKnown(r, "inference-config", inference);
        // Both services pass every kafka.* property to their Kafka clients (trainer: KafkaClientConfig,
        // inference: the kafka-client extension), so a KAFKA_* key is known when it is a real Kafka
        // client setting: checked against kafka-clients' own list, which catches a misspelt one.
        assertKeysKnown(r, "kafka-client", ConfigKeys.kafkaClientKeys());
        // api-security is loaded by both: a key must be real for each (JWT verification from their
        // application.properties, TLS from the framework's TLS registry)
        Set<String> both = new java.util.HashSet<>(trainer);
        both.retainAll(inference);
        both.addAll(ConfigKeys.tlsKeys());
        assertKeysKnown(r, "api-security", both);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void bothServicesSeeTheModelRepositoryVolume(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        Map<String, String> paths = Map.of(TRAINER, env(r, "trainer-config", "TRAINER_MODEL_REPOSITORY"),
                INFERENCE, env(r, "inference-config", "INFERENCE_MODEL_REPOSITORY"));
        for (Map.Entry<String, String> e : paths.entrySet()) {
            PodSpec pod = r.one(Deployment.class, e.getKey()).getSpec().getTemplate().getSpec();
            Set<String> volumes = pod.getVolumes().stream()
                    .filter(v -> v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName().equals("model-repository"))
                    .map(Volume::getName).collect(Collectors.toSet());
            boolean mounted = pod.getContainers().get(0).getVolumeMounts().stream()
                    .anyMatch(m -> volumes.contains(m.getName()) && m.getMountPath().equals(e.getValue()));
            assertTrue(mounted, e.getKey() + ": its model repository " + e.getValue() + " is not where the model-repository claim is mounted");
        }
        assertEquals("ReadWriteMany", r.one(PersistentVolumeClaim.class, "model-repository").getSpec().getAccessModes().get(0),
                "the trainer writes and every inference replica reads the repository");
    }

    static void assertKeysKnown(Rendered r, String configMapPrefix, Set<String> keys) {
        Set<String> envForms = keys.stream().map(ConfigKeys::env).collect(Collectors.toSet());
        ConfigMap cm = r.all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().startsWith(configMapPrefix + "-"))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + configMapPrefix));
        for (String key : cm.getData().keySet()) {
            assertTrue(envForms.contains(key), configMapPrefix + ": " + key + " is not a configuration property of the service");
        }
    }

    // ---- helpers

    static String env(Rendered r, String configMapPrefix, String key) {
        List<ConfigMap> maps = r.all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().startsWith(configMapPrefix + "-")).toList();
        assertEquals(1, maps.size(), "one ConfigMap " + configMapPrefix + "-<hash>");
        String value = maps.get(0).getData().get(key);
        if (value == null) {
            fail(configMapPrefix + " has no key " + key);
        }
        return value;
    }

    static Set<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> resources) {
        return resources.stream().map(x -> x.getMetadata().getName()).collect(Collectors.toSet());
    }

    static List<ContainerPort> containerPorts(PodSpec pod) {
        return pod.getContainers().stream().flatMap(c -> c.getPorts().stream()).toList();
    }

    static List<PodSpec> podsMatching(Rendered r, Map<String, String> labels) {
        List<PodSpec> out = new ArrayList<>();
        for (Deployment d : r.all(Deployment.class)) {
            Map<String, String> have = d.getSpec().getTemplate().getMetadata().getLabels();
            if (labels != null && !labels.isEmpty() && have.entrySet().containsAll(labels.entrySet())) {
                out.add(d.getSpec().getTemplate().getSpec());
            }
        }
        return out;
    }

    static List<PodSpec> podsMatching(Rendered r, LabelSelector selector) {
        List<PodSpec> out = new ArrayList<>();
        if (selector == null) {
            return out;
        }
        for (Deployment d : r.all(Deployment.class)) {
            Map<String, String> have = d.getSpec().getTemplate().getMetadata().getLabels();
            boolean empty = (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                    && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
            if (empty) {
                continue; // an empty selector selects every pod; the tests want explicit ones
            }
            boolean ok = selector.getMatchLabels() == null || have.entrySet().containsAll(selector.getMatchLabels().entrySet());
            for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
                String v = have.get(req.getKey());
                ok &= switch (req.getOperator()) {
                    case "In" -> v != null && req.getValues().contains(v);
                    case "NotIn" -> v == null || !req.getValues().contains(v);
                    case "Exists" -> v != null;
                    case "DoesNotExist" -> v == null;
                    default -> throw new AssertionError("unknown selector operator " + req.getOperator());
                };
            }
            if (ok) {
                out.add(d.getSpec().getTemplate().getSpec());
            }
        }
        return out;
    }
}
