package org.supcon.inference.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model repository in a temporary directory where the service starts on fixture version 1
 * published with its vector index ({@link SearchIndexes}); tests publish more into {@link #root()}.
 */
public class IndexedRepository implements QuarkusTestResourceLifecycleManager {

    private static volatile Path root;

    public static Path root() {
        return root;
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("supcon-inference-indexed-");
            SearchIndexes.publish(root, 1, 1);
            return Map.of("inference.model-repository", root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the directory stays under java.io.tmpdir for a post-mortem
    }
}
