package org.supcon.trainer.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.settings.InvalidSettingsException;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.settings.SettingsBinding;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.pipeline.DeviceChoice;
import org.supcon.trainer.pipeline.Gate;
import org.supcon.trainer.pipeline.RunManager;
import org.supcon.trainer.pipeline.RunState;
import org.supcon.trainer.pipeline.RunStatus;
import org.supcon.trainer.pipeline.TriggerPolicy;

/**
 * The service's training runs: a {@link RunManager} wired to the configuration, the dataset cache,
 * the model repository and the {@code model-events} producer; the trigger policy; training
 * metrics. Started in {@code serve} only ({@code trainer.runs.enabled}).
 */
@Singleton
public class TrainingRunService {

    private static final Logger LOG = Logger.getLogger(TrainingRunService.class);

    private final TrainerConfig config;
    private final DatasetStore store;
    private final ModelEventsProducer events;
    private final MeterRegistry registry;
    private final AtomicReference<RunStatus> latest = new AtomicReference<>();
    private final Map<RunState, Counter> ended = new ConcurrentHashMap<>();
    private volatile RunManager manager;
    private volatile TriggerPolicy trigger;
    /** The configured defaults of every setting, unresolved (a warm-up left unset follows the run's epochs). */
    private final ObjectNode defaults;

    private final java.util.List<io.micrometer.core.instrument.Meter> meters = new java.util.ArrayList<>();

    public TrainingRunService(TrainerConfig config, DatasetStore store, ModelEventsProducer events, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.events = events;
        this.registry = registry;
        this.defaults = SettingsBinding.defaults(config.runs());
    }

    void onStart(@Observes StartupEvent event) throws IOException {
        if (!config.runs().enabled()) {
            return;
        }
        RunManager m = manager();
        if (config.trigger().newSamples().isPresent()) {
            trigger = new TriggerPolicy(config.trigger().newSamples().getAsInt());
            LOG.infof("trigger: a training run starts after every %d new samples", config.trigger().newSamples().getAsInt());
        }
        m.recover();
    }

    void onStop(@Observes ShutdownEvent event) {
        // the injected registry is Micrometer's global one, which outlives this application
        meters.forEach(registry::remove);
        ended.values().forEach(registry::remove);
        RunManager m = manager;
        if (m != null) {
            m.shutdown(60);
        }
    }

    /** The run manager, created on first use (device chosen and logged then). */
    public synchronized RunManager manager() {
        if (manager == null) {
            if (!config.runs().enabled()) {
                throw new IllegalStateException("training runs are disabled (trainer.runs.enabled=false)");
            }
            DeviceChoice.Setting setting = DeviceChoice.Setting.valueOf(config.device().name());
            int gpus = Engine.getInstance().getGpuCount();
            Device device = DeviceChoice.choose(setting, gpus);
            LOG.infof("training device: %s (trainer.device=%s; DJL %s engine %s sees %d GPU(s))", device,
                    setting.name().toLowerCase(), Engine.getDjlVersion(), Engine.getInstance().getVersion(), gpus);
            RunSettings resolved;
            try {
                resolved = SettingsBinding.bind(defaults);
            } catch (InvalidSettingsException e) {
                // a bad trainer.runs.* value stops the service at start, named as the property it is
                throw new IllegalStateException(e.field() == null ? e.getMessage()
                        : "trainer.runs." + SettingsBinding.option(e.field()).substring(2)
                                + e.getMessage().substring(e.field().length() + 1), e);
            }
            RunManager m = new RunManager(new RunManager.Options(config.dataDir().resolve("runs"), config.modelName(),
                    new ModelRepository(config.modelRepository()), new Gate(config.gate().enabled(), config.gate().tolerance()),
                    resolved, device), () -> store.cache().identifiedSnapshot(null, null), events);
            m.observe(this::observe);
            registerMetrics();
            manager = m;
        }
        return manager;
    }

    /**
     * The settings of a run started with {@code body} (a JSON object of overrides; null for none)
     * over the configured defaults.
     *
     * @throws org.supcon.trainer.settings.InvalidSettingsException naming the field at fault
     */
    public RunSettings settings(JsonNode body) {
        return SettingsBinding.bind(defaults, body);
    }

    public RunStatus start(RunSettings settings) {
        RunStatus s = manager().start(settings);
        TriggerPolicy t = trigger;
        if (t != null) {
            t.runStarted();
        }
        return s;
    }

    public List<RunStatus> list() {
        return manager().list();
    }

    public Optional<RunStatus> get(String id) {
        return manager().get(id);
    }

    public Optional<RunStatus> cancel(String id) {
        return manager().cancel(id);
    }

    public Optional<Runnable> subscribe(String id, Consumer<RunStatus> listener) {
        return manager().subscribe(id, listener);
    }

    public java.nio.file.Path directory(String id) {
        return manager().directory(id);
    }

    /** The trigger policy: counts what the consumer made durable. */
    void onSamples(@Observes SamplesAppended event) {
        TriggerPolicy t = trigger;
        RunManager m = manager;
        if (t == null || m == null) {
            return;
        }
        if (t.arrived((long) event.added() + event.replaced(), m.active().isPresent())) {
            try {
                RunStatus s = m.start(m.options().defaults());
                LOG.infof("trigger: %d samples in the cache; started training run %s", event.totalSamples(), s.id());
            } catch (RuntimeException e) {
                LOG.warnf("trigger: could not start a training run: %s", e.getMessage());
            }
        }
    }

    private void observe(RunStatus s) {
        latest.set(s);
        if (!s.state().active()) {
            ended.computeIfAbsent(s.state(), st -> Counter.builder("supcon.training.runs")
                    .description("training runs that ended, by final state").tag("state", st.name()).register(registry)).increment();
        }
    }

    private void registerMetrics() {
        meters.add(Gauge.builder("supcon.training.epoch", latest, r -> value(r.get(), RunStatus::epoch))
                .description("current epoch of the active training run (of the last run when none is active)").register(registry));
        meters.add(Gauge.builder("supcon.training.loss", latest, r -> value(r.get(), RunStatus::loss))
                .description("mean loss of the current epoch of the latest training run").register(registry));
        meters.add(Gauge.builder("supcon.training.images.per.second", latest, r -> value(r.get(), RunStatus::imagesPerSecond))
                .description("training images per second of the latest training run").register(registry));
        meters.add(Gauge.builder("supcon.training.active", latest, r -> r.get() != null && r.get().state().active() ? 1 : 0)
                .description("1 while a training run is queued or running").register(registry));
        for (RunState st : RunState.values()) {
            if (!st.active()) {
                ended.computeIfAbsent(st, x -> Counter.builder("supcon.training.runs")
                        .description("training runs that ended, by final state").tag("state", x.name()).register(registry));
            }
        }
    }

    private static double value(RunStatus s, java.util.function.Function<RunStatus, ? extends Number> f) {
        if (s == null) {
            return Double.NaN;
        }
        Number n = f.apply(s);
        return n == null ? Double.NaN : n.doubleValue();
    }
}
