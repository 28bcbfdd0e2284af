package org.supcon.inference.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.supcon.common.index.Neighbour;
import org.supcon.common.repository.ModelCard;
import org.supcon.inference.config.InferenceConfig;
import org.supcon.inference.model.Inference;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.model.ModelUnavailableException;
import org.supcon.inference.model.OverloadedException;
import org.supcon.inference.model.ServedModel;
import org.supcon.inference.repository.ModelDirectory;
import org.supcon.inference.repository.RepositoryVersion;

/**
 * Owns the loaded versions of the served model. At start it loads the newest valid version of
 * ROOT/NAME; afterwards every poll (and every ModelPublished heard on Kafka) looks for a newer one,
 * validates it and swaps it in atomically. Requests that already hold the previous version finish
 * on it; it stays loaded for {@code versions/{v}} requests until {@code keep-versions} newer ones
 * push it out, and its session closes when its last request ends.
 *
 * <p>A refused version is logged once with the reason and remembered (by its card's sha256 and
 * the file's size and time), so the poll does not retry it every time.
 */
@ApplicationScoped
public class ModelManager implements Inference {

    private static final Logger LOG = Logger.getLogger(ModelManager.class);
    private static final java.time.Duration RETIRE_GRACE = java.time.Duration.ofSeconds(2);

    /** The newest version and all loaded ones, replaced as a whole. */
    private record Loaded(LoadedModel latest, NavigableMap<Long, LoadedModel> byVersion) {
        static final Loaded NONE = new Loaded(null, Collections.emptyNavigableMap());
    }

    private final InferenceConfig config;
    private final InferenceMetrics metrics;
    private final ModelDirectory directory;
    private final AtomicReference<Loaded> loaded = new AtomicReference<>(Loaded.NONE);
    private final Set<String> refused = Collections.synchronizedSet(new HashSet<>());
    private final Set<LoadedModel> draining = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String lastRefusal;
    private final java.util.concurrent.atomic.AtomicLong refreshes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong refusals = new java.util.concurrent.atomic.AtomicLong();
    private volatile SessionFactory sessions;
    private volatile ModelValidator validator;
    private ScheduledExecutorService scheduler;

    public ModelManager(InferenceConfig config, MeterRegistry registry) {
        this.config = config;
        this.metrics = new InferenceMetrics(registry, config.modelName());
        this.directory = new ModelDirectory(config.modelRepository(), config.modelName());
        if (config.keepVersions() < 1) {
            throw new IllegalArgumentException("inference.keep-versions must be at least 1, got " + config.keepVersions());
        }
    }

    void onStart(@Observes StartupEvent event) {
        sessions = new SessionFactory(config.device(), config.intraOpThreads(), config.intraOpSpinning());
        validator = new ModelValidator(sessions);
        LOG.infof("serving %s from %s (poll every %s, keep %d version(s))", config.modelName(), directory.dir(),
                config.pollInterval(), config.keepVersions());
        refresh();
        loadOlderVersions();
        if (loaded.get().latest() == null) {
            LOG.warnf("no valid version of %s in %s yet: answering 503 and readiness DOWN until one is published",
                    config.modelName(), directory.dir());
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "model-repository-poll");
            t.setDaemon(true);
            return t;
        });
        long poll = Math.max(1, config.pollInterval().toMillis());
        scheduler.scheduleWithFixedDelay(this::refresh, poll, poll, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        Loaded last = loaded.getAndSet(Loaded.NONE);
        last.byVersion().values().forEach(LoadedModel::retire);
        draining.forEach(LoadedModel::retire);
        draining.clear();
        metrics.close();
    }

    /** Asks for a repository check soon (a ModelPublished was heard); returns at once. */
    public void refreshSoon() {
        ScheduledExecutorService s = scheduler;
        if (s != null && !s.isShutdown()) {
            s.execute(this::refresh);
        }
    }

    /** The active provider, {@code CPU} or {@code CUDA}. */
    public String provider() {
        return sessions == null ? "none" : sessions.providerName();
    }

    /** Why the last refused version was refused, if any was. */
    public Optional<String> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    public InferenceMetrics metrics() {
        return metrics;
    }

    @Override
    public Optional<ServedModel> latest() {
        return Optional.ofNullable(loaded.get().latest());
    }

    @Override
    public Optional<ServedModel> version(long version) {
        return Optional.ofNullable(loaded.get().byVersion().get(version));
    }

    /** Versions loaded now, ascending. */
    @Override
    public List<Long> loadedVersions() {
        return new ArrayList<>(loaded.get().byVersion().keySet());
    }

    @Override
    public CompletionStage<InferenceResult> infer(ServedModel model, float[] images, int n) {
        if (!(model instanceof LoadedModel m)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a model of this service: " + model));
        }
        long start = System.nanoTime();
        int expected = m.channels() * m.height() * m.width();
        if (n < 1 || images == null || (long) n * expected != images.length) {
            metrics.request(m.name(), "invalid", System.nanoTime() - start);
            return CompletableFuture.failedFuture(new IllegalArgumentException(m + " takes " + n + " image(s) as " + n + " x "
                    + m.channels() + " x " + m.height() + " x " + m.width() + " = " + ((long) n * expected)
                    + " float values, got " + (images == null ? 0 : images.length)));
        }
        if (!m.acquire()) {
            metrics.request(m.name(), "unavailable", System.nanoTime() - start);
            return CompletableFuture.failedFuture(new ModelUnavailableException(m + " was unloaded; ask for the latest version"));
        }
        CompletableFuture<InferenceResult> result;
        try {
            result = m.batcher().submit(images, n);
        } catch (RuntimeException e) {
            m.release();
            metrics.request(m.name(), e instanceof OverloadedException ? "overloaded" : "error", System.nanoTime() - start);
            return CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((r, e) -> {
            m.release();
            metrics.request(m.name(), e == null ? "ok" : "error", System.nanoTime() - start);
        });
    }

    @Override
    public List<Neighbour> search(ServedModel model, float[] query, int k, float minScore, boolean exact, int candidates) {
        if (!(model instanceof LoadedModel m)) {
            throw new IllegalArgumentException("not a model of this service: " + model);
        }
        LoadedModel.Index index = m.loadedIndex();
        if (index == null) {
            throw new IllegalArgumentException(m + " has no vector index");
        }
        if (!m.acquire()) {
            throw new ModelUnavailableException(m + " was unloaded; ask for the latest version");
        }
        try {
            return exact ? index.vectors().exactSearch(query, k, minScore)
                    : index.vectors().search(query, k, minScore, candidates);
        } finally {
            m.release();
        }
    }

    /**
     * Loads the newest version that is newer than the one served, not refused before and valid;
     * refusals are remembered. Runs on the poll thread (and once at start), one at a time.
     */
    synchronized void refresh() {
        try {
            List<RepositoryVersion> versions = directory.versionsNewestFirst();
            LoadedModel current = loaded.get().latest();
            for (RepositoryVersion v : versions) {
                if (current != null && v.version() <= current.version()) {
                    break;
                }
                String key = refusalKey(v);
                if (refused.contains(key)) {
                    continue;
                }
                try {
                    long t0 = System.nanoTime();
                    LoadedModel model = validator.load(v, this::batcher);
                    install(model, (System.nanoTime() - t0) / 1_000_000);
                    return;
                } catch (ModelRefusedException e) {
                    refuse(key, v, e, current);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot read the model repository %s: %s", directory.dir(), e.toString());
        } finally {
            refreshes.incrementAndGet();
        }
    }

    /** Repository checks done so far (start, polls, events). */
    public long refreshes() {
        return refreshes.get();
    }

    /** Versions refused so far; each is refused once. */
    public long refusals() {
        return refusals.get();
    }

    private void refuse(String key, RepositoryVersion v, ModelRefusedException e, LoadedModel serving) {
        refused.add(key);
        lastRefusal = e.getMessage(); // before the count: whoever sees the count sees this reason
        refusals.incrementAndGet();
        LOG.warnf("refused %s v%d, not serving it%s: %s", v.name(), v.version(),
                serving == null ? "" : " (" + serving + " serves on)", e.getMessage());
    }

    /**
     * At start, fills {@code keep-versions} with the newest valid versions below the latest, so
     * that {@code versions/{v}} answers for them as it would after a swap.
     */
    private synchronized void loadOlderVersions() {
        LoadedModel latest = loaded.get().latest();
        if (latest == null || config.keepVersions() < 2) {
            return;
        }
        try {
            for (RepositoryVersion v : directory.versionsNewestFirst()) {
                Loaded current = loaded.get();
                if (current.byVersion().size() >= config.keepVersions()) {
                    return;
                }
                if (v.version() >= latest.version() || refused.contains(refusalKey(v))) {
                    continue;
                }
                try {
                    long t0 = System.nanoTime();
                    LoadedModel older = validator.load(v, this::batcher);
                    TreeMap<Long, LoadedModel> byVersion = new TreeMap<>(current.byVersion());
                    byVersion.put(older.version(), older);
                    loaded.set(new Loaded(current.latest(), Collections.unmodifiableNavigableMap(byVersion)));
                    LOG.infof("also loaded %s for versions/%d (%s), validated in %d ms", older, older.version(),
                            indexFacts(older), (System.nanoTime() - t0) / 1_000_000);
                } catch (ModelRefusedException e) {
                    refuse(refusalKey(v), v, e, latest);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot read the model repository %s: %s", directory.dir(), e.toString());
        }
    }

    private DynamicBatcher batcher(ModelValidator.Validated v) {
        InferenceConfig.Batching b = config.batching();
        return new DynamicBatcher(v.version().name() + " v" + v.version().version(), v.imageSize(), v.runner(),
                b.maxBatchSize(), b.maxDelay(), b.maxQueue(), b.runners(), metrics);
    }

    private void install(LoadedModel model, long loadMillis) {
        List<LoadedModel> evicted = new ArrayList<>();
        Loaded next;
        Loaded previous;
        do {
            previous = loaded.get();
            TreeMap<Long, LoadedModel> byVersion = new TreeMap<>(previous.byVersion());
            byVersion.put(model.version(), model);
            evicted.clear();
            while (byVersion.size() > config.keepVersions()) {
                evicted.add(byVersion.pollFirstEntry().getValue());
            }
            next = new Loaded(byVersion.lastEntry().getValue(), Collections.unmodifiableNavigableMap(byVersion));
        } while (!loaded.compareAndSet(previous, next));
        metrics.activeVersion(next.latest().version());
        LOG.infof("serving %s (sha256 %s, embedding %d, %d labels, %s) on %s, validated in %d ms%s", model,
                model.sha256().substring(0, 12), model.embeddingDim(), model.labels().size(), indexFacts(model), provider(),
                loadMillis,
                previous.latest() == null ? "" : "; previous " + previous.latest() + " still answers versions/"
                        + previous.latest().version() + (evicted.contains(previous.latest()) ? " until its requests end" : ""));
        // a caller may have looked a version up just before it was pushed out and not yet called infer:
        // its session stays open a moment longer (and then until its last request ends)
        ScheduledExecutorService s = scheduler;
        for (LoadedModel m : evicted) {
            if (s != null && !s.isShutdown()) {
                draining.add(m);
                s.schedule(() -> {
                    draining.remove(m);
                    m.retire();
                }, RETIRE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                m.retire();
            }
        }
    }

    /** What an operator wants to know of the index: whether search works on this version, and what it cost. */
    private static String indexFacts(LoadedModel model) {
        LoadedModel.Index index = model.loadedIndex();
        if (index == null) {
            return "no vector index: search answers 404";
        }
        return String.format("vector index of %d x %d, %,d bytes, loaded in %d ms", index.vectors().count(),
                index.vectors().dimension(), index.vectors().sizeBytes(), index.loadMillis());
    }

    /** Identifies what was refused: the card's checksum and the model file's size and time (versions are immutable). */
    private static String refusalKey(RepositoryVersion v) {
        StringBuilder key = new StringBuilder(v.dir().toString());
        try {
            key.append(':').append(ModelCard.read(v.cardFile()).sha256());
        } catch (IOException e) {
            key.append(":unreadable-card");
        }
        try {
            BasicFileAttributes a = Files.readAttributes(v.modelFile(), BasicFileAttributes.class);
            key.append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            key.append(":missing");
        }
        return key.toString();
    }

    /** For tests and health: the loaded versions and their metadata. */
    Map<Long, LoadedModel> loadedModels() {
        return loaded.get().byVersion();
    }
}
