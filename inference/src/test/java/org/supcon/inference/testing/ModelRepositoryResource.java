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

    public static Path root() {
        return root;
    }

    /** Init arg {@code empty=true}: start with no version at all. */
    @Override
    public void init(Map<String, String> initArgs) {
        empty = Boolean.parseBoolean(initArgs.getOrDefault("empty", "false"));
    }

    @Override
    public Map<String, String> start() {
        try {
            root = empty ? java.nio.file.Files.createTempDirectory("supcon-inference-empty-") : TestModels.repositoryWithVersion1();
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
