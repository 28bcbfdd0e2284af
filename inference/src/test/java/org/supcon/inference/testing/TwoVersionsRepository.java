package org.supcon.inference.testing;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A model repository in a temporary directory where the service starts on fixture version 1;
 * {@link #awaitVersion2()} then publishes version 2 the way the trainer does, so that both are
 * served (1 through {@code versions/1}, 2 as the newest).
 */
public class TwoVersionsRepository implements QuarkusTestResourceLifecycleManager {

    private static volatile Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = TestModels.repositoryWithVersion1();
            return Map.of("inference.model-repository", root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // the directory stays under java.io.tmpdir for a post-mortem
    }

    /** Publishes version 2 once and waits (up to a minute) until the service answers for it. */
    public static synchronized void awaitVersion2() {
        try {
            if (!Files.exists(root.resolve(TestModels.NAME).resolve("2"))) {
                TestModels.publish(root, 2, TestModels.model(2), TestModels.card(2));
            }
            for (int i = 0; i < 600; i++) {
                if (given().get("/v2/models/" + TestModels.NAME + "/versions/2/ready").statusCode() == 200) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("version 2 was not loaded within a minute");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
