package org.supcon.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.supcon.k8s.ManifestsTest.INFERENCE;
import static org.supcon.k8s.ManifestsTest.TRAINER;
import static org.supcon.k8s.ManifestsTest.env;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployment ships the APIs secured (issue 7): TLS only, bearer tokens verified with a key
 * from a Secret (inference: auth and rate limiting on), health and metrics on each service's
 * management port, which the probes use over HTTPS, and NetworkPolicies that open nothing else.
 */
class ApiSecurityTest {

    /** Quarkus' HTTPS port (quarkus.http.ssl-port), which neither service changes. */
    static final int HTTPS = 8443;

    private static int managementPort(String service) throws Exception {
        Properties p = new Properties();
        Path file = Rendered.k8sDir().getParent().resolve(service + "/src/main/resources/application.properties");
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        assertTrue(p.getProperty("quarkus.http.ssl-port") == null, service + " moves the HTTPS port; update this test");
        return Integer.parseInt(Objects.requireNonNull(p.getProperty("quarkus.management.port"),
                service + " sets no quarkus.management.port"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void apisAreTlsOnlyWithTokensFromSecretsAndProbesUseTheManagementPort(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        assertEquals("disabled", env(r, "api-security", "QUARKUS_HTTP_INSECURE_REQUESTS"), "plain HTTP stays off");
        assertEquals("true", env(r, "inference-config", "INFERENCE_AUTH_ENABLED"), "the inference API takes tokens in k8s");
        assertEquals("true", env(r, "inference-config", "INFERENCE_RATE_LIMIT_ENABLED"), "and limits each client");

        for (Map.Entry<String, String> s : Map.of(TRAINER, "trainer", INFERENCE, "inference").entrySet()) {
            PodSpec pod = r.one(Deployment.class, s.getKey()).getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            String where = s.getKey();
            assertTrue(c.getEnvFrom().stream().anyMatch(e -> e.getConfigMapRef() != null
                    && e.getConfigMapRef().getName().startsWith("api-security-")), where + " does not load api-security");

            // every file the security settings name is a key of a Secret mounted read-only there
            for (String key : List.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "QUARKUS_TLS_KEY_STORE_PEM__0__CERT",
                    "QUARKUS_TLS_KEY_STORE_PEM__0__KEY")) {
                String file = env(r, "api-security", key);
                assertTrue(fromSecret(pod, c, file), where + ": " + key + "=" + file + " is not a file of a mounted Secret");
            }

            // ports: https and management, nothing plain
            Map<String, Integer> ports = new java.util.HashMap<>();
            for (ContainerPort p : c.getPorts()) {
                ports.put(p.getName(), p.getContainerPort());
            }
            assertEquals(Map.of("https", HTTPS, "management", managementPort(s.getValue())), ports, where + " ports");
            for (Probe p : Stream.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe()).filter(Objects::nonNull).toList()) {
                HTTPGetAction get = p.getHttpGet();
                assertEquals("management", get.getPort().getStrVal(), where + ": probes go to the management port");
                assertEquals("HTTPS", get.getScheme(), where + ": the management port speaks TLS when the API does");
            }

            Service svc = r.one(Service.class, s.getKey());
            for (ServicePort sp : svc.getSpec().getPorts()) {
                assertEquals("https", sp.getTargetPort().getStrVal(), where + ": Service port " + sp.getName() + " is not the TLS port");
            }
        }
    }

    private static boolean fromSecret(PodSpec pod, Container c, String file) {
        for (VolumeMount m : c.getVolumeMounts()) {
            if (!file.startsWith(m.getMountPath() + "/") || !Boolean.TRUE.equals(m.getReadOnly())) {
                continue;
            }
            String name = file.substring(m.getMountPath().length() + 1);
            for (Volume v : pod.getVolumes()) {
                if (v.getName().equals(m.getName()) && v.getSecret() != null) {
                    List<KeyToPath> items = v.getSecret().getItems();
                    if (items == null || items.isEmpty() || items.stream().anyMatch(i -> i.getPath().equals(name))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void networkPoliciesOpenOnlyTheTlsApiAndTheManagementPortToMonitoring(String overlay) throws Exception {
        Rendered r = Rendered.overlay(overlay);
        for (NetworkPolicy np : r.all(NetworkPolicy.class)) {
            for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
                for (NetworkPolicyPort port : rule.getPorts()) {
                    String name = port.getPort().getStrVal();
                    assertNotNull(name, np.getMetadata().getName() + " opens a port by number");
                    assertTrue(name.equals("https") || name.equals("management"),
                            np.getMetadata().getName() + " opens " + name);
                    if (name.equals("management")) {
                        assertTrue(rule.getFrom().stream().allMatch(f -> f.getNamespaceSelector() != null
                                        && "monitoring".equals(f.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))),
                                np.getMetadata().getName() + ": the management port is for the monitoring namespace only");
                    }
                }
            }
        }
    }
}
