package org.supcon.testing.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Strimzi {@code KafkaUser} ACLs ({@code spec.authorization.type: simple}) as the Kafka
 * {@link AclBinding}s the User Operator creates from them: principal {@code User:<metadata.name>},
 * resource {@code topic}/{@code group}/{@code cluster}/{@code transactionalId} with
 * {@code patternType} {@code literal} (default) or {@code prefix}, {@code operations}, {@code type}
 * {@code allow} (default) or {@code deny}, {@code host} (default {@code *}). Anything else is an
 * {@link IllegalArgumentException} naming the user and the field, so a manifest the translation
 * does not understand never passes silently.
 */
public final class StrimziAcls {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private StrimziAcls() {
    }

    /**
     * The deployment's KafkaUsers, {@code k8s/base/kafka/users.yaml}: from a module directory (where
     * Maven runs the tests) or the repository root (an IDE).
     */
    public static Path deploymentUsers() {
        Path fromModule = Path.of("..", "k8s", "base", "kafka", "users.yaml");
        return Files.exists(fromModule) ? fromModule : Path.of("k8s", "base", "kafka", "users.yaml");
    }

    /** The ACL bindings of every KafkaUser in the (multi-document) YAML file, by user name, in file order. */
    public static Map<String, List<AclBinding>> read(Path yaml) throws IOException {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(yaml))) {
            return translate(it.readAll());
        }
    }

    static Map<String, List<AclBinding>> translate(List<JsonNode> documents) {
        Map<String, List<AclBinding>> users = new LinkedHashMap<>();
        for (JsonNode doc : documents) {
            if (doc == null || !doc.path("kind").asText().equals("KafkaUser")) {
                continue;
            }
            String name = doc.path("metadata").path("name").asText("");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a KafkaUser without metadata.name");
            }
            JsonNode authz = doc.path("spec").path("authorization");
            if (authz.isMissingNode()) {
                users.put(name, List.of());
                continue;
            }
            if (!authz.path("type").asText().equals("simple")) {
                throw new IllegalArgumentException("KafkaUser " + name + ": authorization type '" + authz.path("type").asText()
                        + "' is not 'simple'");
            }
            List<AclBinding> bindings = new ArrayList<>();
            int i = 0;
            for (JsonNode acl : authz.path("acls")) {
                bindings.addAll(binding(name, "spec.authorization.acls[" + i++ + "]", acl));
            }
            users.put(name, List.copyOf(bindings));
        }
        return users;
    }

    private static List<AclBinding> binding(String user, String where, JsonNode acl) {
        String at = "KafkaUser " + user + " " + where;
        if (acl.has("operation")) {
            throw new IllegalArgumentException(at + ": 'operation' is not in kafka.strimzi.io/v1, use 'operations'");
        }
        JsonNode r = acl.path("resource");
        String type = r.path("type").asText("");
        ResourceType resourceType = switch (type) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            case "cluster" -> ResourceType.CLUSTER;
            case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
            default -> throw new IllegalArgumentException(at + ".resource.type: '" + type
                    + "' is not one of topic, group, cluster, transactionalId");
        };
        String resourceName = resourceType == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText("");
        if (resourceName.isEmpty()) {
            throw new IllegalArgumentException(at + ".resource.name is missing");
        }
        String pattern = r.path("patternType").asText("literal");
        PatternType patternType = switch (pattern) {
            case "literal" -> PatternType.LITERAL;
            case "prefix" -> PatternType.PREFIXED;
            default -> throw new IllegalArgumentException(at + ".resource.patternType: '" + pattern + "' is not literal or prefix");
        };
        String permission = acl.path("type").asText("allow");
        AclPermissionType permissionType = switch (permission) {
            case "allow" -> AclPermissionType.ALLOW;
            case "deny" -> AclPermissionType.DENY;
            default -> throw new IllegalArgumentException(at + ".type: '" + permission + "' is not allow or deny");
        };
        String host = acl.path("host").asText("*");
        JsonNode operations = acl.path("operations");
        if (!operations.isArray() || operations.isEmpty()) {
            throw new IllegalArgumentException(at + ".operations: a non-empty list is required");
        }
        ResourcePattern resource = new ResourcePattern(resourceType, resourceName, patternType);
        List<AclBinding> out = new ArrayList<>();
        for (JsonNode op : operations) {
            out.add(new AclBinding(resource, new AccessControlEntry("User:" + user, host, operation(at, op.asText()), permissionType)));
        }
        return out;
    }

    /** Strimzi's operation names are Kafka's in camel case: {@code Read}, {@code IdempotentWrite}, {@code All}. */
    static AclOperation operation(String at, String name) {
        String upper = name.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        AclOperation op;
        try {
            op = AclOperation.valueOf(upper);
        } catch (IllegalArgumentException e) {
            op = AclOperation.UNKNOWN;
        }
        if (op == AclOperation.UNKNOWN || op == AclOperation.ANY || name.isEmpty() || !Character.isUpperCase(name.charAt(0))) {
            throw new IllegalArgumentException(at + ".operations: '" + name + "' is not a Kafka ACL operation (Read, Write,"
                    + " Create, Delete, Alter, Describe, ClusterAction, AlterConfigs, DescribeConfigs, IdempotentWrite, All)");
        }
        return op;
    }
}
