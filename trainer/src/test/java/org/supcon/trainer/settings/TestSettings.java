package org.supcon.trainer.settings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import java.util.Map;
import org.supcon.trainer.config.TrainerConfig;

/** Run settings for plain JUnit tests: the real defaults of {@link TrainerConfig}, without Quarkus. */
public final class TestSettings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestSettings() {}

    /** The trainer's configuration from its {@code @WithDefault}s and {@code properties}. */
    public static TrainerConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(TrainerConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build()
                .getConfigMapping(TrainerConfig.class);
    }

    /** The configured defaults, unresolved. */
    public static ObjectNode defaults() {
        return SettingsBinding.defaults(config(Map.of()).runs());
    }

    /** The defaults overridden by name/value pairs, e.g. {@code of("epochs", 3, "method", "ce")}. */
    public static RunSettings of(Object... namesAndValues) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            o.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
        }
        return SettingsBinding.bind(defaults(), o);
    }
}
