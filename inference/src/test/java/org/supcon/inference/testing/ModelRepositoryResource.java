package org.supcon.inference.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} its own model repository in a temporary directory, holding version
 * 1 of the fixture; tests publish more versions into {@link #root()}.
 */
public class ModelRepositoryResource implements QuarkusTestResourceLifecycleManager {

    private static volatile Path root;
    private boolean empty;
    private boolean withBrokenNewest;

    public static Path root() {
        return root;
    }

    /**
     * Init args: {@code empty=true} starts with no version at all; {@code v2-and-broken-v3=true}
     * adds version 2 and a truncated version 3.
     */
    @Override
    public void init(Map<String, String> initArgs) {
        empty = Boolean.parseBoolean(initArgs.getOrDefault("empty", "false"));
        withBrokenNewest = Boolean.parseBoolean(initArgs.getOrDefault("v2-and-broken-v3", "false"));
    }

    @Override
    public Map<String, String> start() {
        try {
            root = empty ? java.nio.file.Files.createTempDirectory("supcon-inference-empty-") : TestModels.repositoryWithVersion1();
            if (withBrokenNewest) {
                TestModels.publish(root, 2, TestModels.model(2), TestModels.card(2), true);
                byte[] truncated = java.util.Arrays.copyOf(TestModels.model(2), 5000);
                TestModels.publish(root, 3, truncated, TestModels.card(2));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("inference.model-repository", root.toString());
    }

    @Override
    public void stop() {
        // the directory stays for a post-mortem; it lives under java.io.tmpdir
    }
}
