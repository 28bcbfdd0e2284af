package org.supcon.trainer.rest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.supcon.testing.kafka.KafkaBroker;

/**
 * A real Kafka broker ({@link KafkaBroker}) and temporary data and model-repository directories
 * for the training-run tests, with run defaults small enough for a synthetic 12x12 dataset.
 * (The ingestion tests have their own fixture; the two are to be unified.)
 */
public class RunsKafkaResource implements QuarkusTestResourceLifecycleManager {

    static volatile KafkaBroker broker;
    static volatile Path dir;

    @Override
    public Map<String, String> start() {
        try {
            broker = KafkaBroker.start();
            dir = Files.createTempDirectory("supcon-runs-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        c.put("trainer.data-dir", dir.resolve("data").toString());
        c.put("trainer.model-repository", dir.resolve("models").toString());
        c.put("trainer.model-name", "synthetic-bands");
        c.put("trainer.dataset.channels", "1");
        c.put("trainer.dataset.height", "12");
        c.put("trainer.dataset.width", "12");
        c.put("trainer.gate.enabled", "true");
        c.put("trainer.gate.tolerance", "0");
        c.put("trainer.device", "cpu");
        c.put("trainer.runs.epochs", "1");
        c.put("trainer.runs.batch-size", "16");
        c.put("trainer.runs.linear-epochs", "10");
        c.put("trainer.runs.validation-fraction", "0");
        c.put("trainer.runs.test-fraction", "0.2");
        // the trigger test fires SamplesAppended events itself; nothing else does in these tests
        c.put("trainer.trigger.new-samples", "1000");
        return c;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp dir; the OS cleans it eventually
            }
        }
    }
}
