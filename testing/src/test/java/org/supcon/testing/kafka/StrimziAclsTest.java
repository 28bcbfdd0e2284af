package org.supcon.testing.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class StrimziAclsTest {

    static Map<String, List<AclBinding>> translate(String yaml) throws Exception {
        return StrimziAcls.translate(new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll());
    }

    static AclBinding acl(String user, ResourceType type, String name, PatternType pattern, AclOperation op, String host,
                          AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry("User:" + user, host, op, permission));
    }

    @Test
    void everyRuleAndOperationBecomesABinding() throws Exception {
        Map<String, List<AclBinding>> users = translate("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t}
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaUser
                metadata: {name: alice}
                spec:
                  authentication: {type: scram-sha-512}
                  authorization:
                    type: simple
                    acls:
                      - resource: {type: topic, name: events}
                        operations: [Read, Describe]
                      - resource: {type: group, name: app-, patternType: prefix}
                        operations: [Read]
                      - resource: {type: cluster}
                        operations: [IdempotentWrite, DescribeConfigs]
                        host: 10.0.0.1
                      - resource: {type: topic, name: secret}
                        type: deny
                        operations: [All]
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaUser
                metadata: {name: bob}
                spec:
                  authentication: {type: scram-sha-512}
                """);
        assertEquals(List.of("alice", "bob"), List.copyOf(users.keySet()));
        AclPermissionType allow = AclPermissionType.ALLOW;
        assertEquals(List.of(
                acl("alice", ResourceType.TOPIC, "events", PatternType.LITERAL, AclOperation.READ, "*", allow),
                acl("alice", ResourceType.TOPIC, "events", PatternType.LITERAL, AclOperation.DESCRIBE, "*", allow),
                acl("alice", ResourceType.GROUP, "app-", PatternType.PREFIXED, AclOperation.READ, "*", allow),
                acl("alice", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE, "10.0.0.1", allow),
                acl("alice", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS, "10.0.0.1", allow),
                acl("alice", ResourceType.TOPIC, "secret", PatternType.LITERAL, AclOperation.ALL, "*", AclPermissionType.DENY)),
                users.get("alice"));
        assertEquals(List.of(), users.get("bob"));
    }

    @Test
    void whatItDoesNotUnderstandIsAnErrorNamingThePlace() {
        String user = """
                kind: KafkaUser
                metadata: {name: carol}
                spec:
                  authorization:
                    type: simple
                    acls:
                      - resource: {type: topic, name: t}
                """;
        assertError("carol spec.authorization.acls[0].operations: 'read' is not a Kafka ACL operation",
                user + "        operations: [read]\n");
        assertError("carol spec.authorization.acls[0].operations: 'Frobnicate' is not",
                user + "        operations: [Frobnicate]\n");
        assertError("carol spec.authorization.acls[0]: 'operation' is not in kafka.strimzi.io/v1",
                user + "        operation: Read\n");
        assertError("carol spec.authorization.acls[0].operations: a non-empty list is required", user);
        assertError("carol spec.authorization.acls[0].resource.type: 'topics' is not one of",
                user.replace("type: topic,", "type: topics,") + "        operations: [Read]\n");
        assertError("carol: authorization type 'opa' is not 'simple'", user.replace("type: simple", "type: opa"));
    }

    static void assertError(String expected, String yaml) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> translate(yaml));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
