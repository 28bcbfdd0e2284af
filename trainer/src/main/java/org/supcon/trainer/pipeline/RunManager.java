package org.supcon.trainer.pipeline;

import ai.djl.Device;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.supcon.trainer.io.Durable;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.TrainingRun;

/**
 * Training runs of one model: accepts a run when none is active (else {@link RunConflictException}),
 * runs it on its own worker thread, keeps every run's state in {@code runsDir/<id>/state.json}
 * (beside the pipeline's output: checkpoint, summary, weights, report, model), cancels
 * cooperatively, and after a restart resumes the run that was active from its last checkpoint.
 * Plain Java: the service wires it to configuration, Kafka and metrics.
 */
public final class RunManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RunManager.class);
    static final String STATE_FILE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /**
     * @param runsDir where runs live ({@code trainer.data-dir/runs})
     * @param modelName the model this manager trains
     * @param repository where versions are published; null to never publish
     * @param gate the publication gate
     * @param defaults settings of a run started without a body (and of the trigger's runs)
     * @param device the DJL device to train on
     */
    public record Options(Path runsDir, String modelName, ModelRepository repository, Gate gate, RunSettings defaults,
            Device device) {}

    private final Options options;
    private final TrainingPipeline pipeline;
    private final DatasetSnapshots snapshots;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Map<String, List<Consumer<RunStatus>>> subscribers = new LinkedHashMap<>();
    private final List<Consumer<RunStatus>> observers = new CopyOnWriteArrayList<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "training-run");
        t.setDaemon(true);
        return t;
    });
    private Run active;
    private boolean closed;

    public RunManager(Options options, DatasetSnapshots snapshots, ModelEvents events) {
        this.options = options;
        this.pipeline = new TrainingPipeline(new TrainingPipeline.Target(options.modelName(), options.repository(),
                options.gate(), events), options.device());
        this.snapshots = snapshots;
        try {
            Files.createDirectories(options.runsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the runs directory " + options.runsDir() + ": " + e.getMessage(), e);
        }
    }

    public Options options() {
        return options;
    }

    /** Called with every status change of every run (metrics). */
    public void observe(Consumer<RunStatus> observer) {
        observers.add(observer);
    }

    /**
     * Reads the runs on disk; the one left active by a stop or crash is resumed (from its
     * checkpoint, on the samples it started with). Call once, before {@link #start}.
     */
    public synchronized List<RunStatus> recover() throws IOException {
        List<Run> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(options.runsDir(), Files::isDirectory)) {
            for (Path dir : dirs) {
                Path state = dir.resolve(STATE_FILE);
                if (!Files.isRegularFile(state)) {
                    continue;
                }
                try {
                    RunStatus s = JSON.readValue(state.toFile(), RunStatus.class);
                    found.add(new Run(s));
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("ignoring run directory %s: unreadable %s (%s)", dir, STATE_FILE, e.getMessage());
                }
            }
        }
        found.sort(Comparator.comparing((Run r) -> r.status().createdAt()).thenComparing(r -> r.id));
        List<RunStatus> resumed = new ArrayList<>();
        for (Run r : found) {
            runs.put(r.id, r);
        }
        for (Run r : found) {
            if (r.state().active() && r.modelName.equals(options.modelName())) {
                if (active == null) {
                    LOG.infof("resuming training run %s (%s when the trainer stopped)", r.id, r.state());
                    active = r;
                    submit(r);
                    resumed.add(r.status());
                } else {
                    r.finish(RunState.FAILED, "another run (" + active.id + ") was resumed; one run at a time per model");
                    persist(r);
                }
            }
        }
        return resumed;
    }

    /** Accepts a run with these settings; it starts on the worker thread. */
    public synchronized RunStatus start(RunSettings settings) {
        if (closed) {
            throw new IllegalStateException("the run manager is shut down");
        }
        if (active != null) {
            throw new RunConflictException(options.modelName(), active.id, active.state());
        }
        String id = LocalDateTime.now(ZoneOffset.UTC).format(ID_TIME) + "-" + UUID.randomUUID().toString().substring(0, 8);
        Run run = new Run(id, options.modelName(), settings);
        runs.put(id, run);
        active = run;
        persist(run);
        submit(run);
        LOG.infof("training run %s accepted: %s", id, settings.asMap());
        return run.status();
    }

    public synchronized List<RunStatus> list() {
        return runs.values().stream().map(Run::status).toList();
    }

    public synchronized Optional<RunStatus> get(String id) {
        Run r = runs.get(id);
        return r == null ? Optional.empty() : Optional.of(r.status());
    }

    /** The active run, if any. */
    public synchronized Optional<RunStatus> active() {
        return active == null ? Optional.empty() : Optional.of(active.status());
    }

    /** The run's directory (state, output, report). */
    public Path directory(String id) {
        return options.runsDir().resolve(id);
    }

    /**
     * Asks an active run to stop at its next step; it then ends CANCELLED. A run that already
     * ended is returned unchanged.
     */
    public synchronized Optional<RunStatus> cancel(String id) {
        Run r = runs.get(id);
        if (r == null) {
            return Optional.empty();
        }
        if (r.state().active()) {
            r.cancelRequested = true;
            r.message("cancel requested");
            notifyChanged(r);
        }
        return Optional.of(r.status());
    }

    /**
     * Calls {@code listener} with the run's status now and on every change until the run ends
     * (the last call has a final state). Returns the unsubscribe action; empty for an unknown id.
     */
    public Optional<Runnable> subscribe(String id, Consumer<RunStatus> listener) {
        RunStatus now;
        synchronized (this) {
            Run r = runs.get(id);
            if (r == null) {
                return Optional.empty();
            }
            now = r.status();
            if (now.state().active()) {
                subscribers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
            }
        }
        listener.accept(now);
        return Optional.of(() -> {
            synchronized (this) {
                List<Consumer<RunStatus>> l = subscribers.get(id);
                if (l != null) {
                    l.remove(listener);
                }
            }
        });
    }

    private void submit(Run run) {
        worker.execute(() -> execute(run));
    }

    private void execute(Run run) {
        Path dir = directory(run.id);
        try {
            if (run.cancelRequested) {
                throw new TrainingRun.RunStoppedException("cancelled before it started");
            }
            run.started(options.device().toString());
            persist(run);
            notifyChanged(run);
            TrainingPipeline.Outcome outcome = pipeline.run(run.id, run.settings, new CacheSource(snapshots, run.dataset()), dir,
                    new Progress(run), () -> run.cancelRequested || run.shutdownRequested);
            run.resumedFrom(outcome.result().resumedFromEpoch());
            run.message(outcome.published() != null ? "published " + run.modelName + " version " + outcome.published().version()
                    : "not published: " + outcome.gate().reason());
            end(run, RunState.SUCCEEDED, null);
        } catch (TrainingRun.RunStoppedException e) {
            if (run.cancelRequested) {
                end(run, RunState.CANCELLED, null);
            } else {
                // shutdown: stays active on disk and is resumed at the next start
                run.message("interrupted by shutdown (" + e.getMessage() + "); resumes at the next start");
                persist(run);
                LOG.infof("training run %s stopped for shutdown; it resumes from its checkpoint at the next start", run.id);
            }
        } catch (Throwable e) {
            LOG.errorf(e, "training run %s failed", run.id);
            end(run, RunState.FAILED, describe(e));
        }
    }

    /** Keeps a run's state current: every phase and epoch persisted, steps announced at most every 200 ms. */
    private final class Progress implements RunListener {
        private final Run run;
        private long lastNotify;

        Progress(Run run) {
            this.run = run;
        }

        private void saved() {
            persist(run);
            notifyChanged(run);
        }

        @Override
        public void onPhase(Phase phase, String message) {
            run.stage(phase);
            run.message(message);
            saved();
        }

        @Override
        public void onData(DatasetFacts facts) {
            run.dataset(facts);
        }

        @Override
        public void onStep(Step p) {
            run.step(p.epoch(), p.epochs(), p.step(), p.stepsPerEpoch(), p.loss(), p.learningRate(), p.imagesPerSecond());
            long now = System.nanoTime();
            if (now - lastNotify > 200_000_000L || p.step() == p.stepsPerEpoch()) {
                lastNotify = now;
                notifyChanged(run);
            }
        }

        @Override
        public void onEpoch(EpochStats stats, int epochs) {
            run.epochDone(stats);
            saved();
        }

        @Override
        public void onEmbedding(int done, int total, double imagesPerSecond) {
            long now = System.nanoTime();
            if (now - lastNotify > 200_000_000L || done == total) {
                lastNotify = now;
                run.message(String.format(Locale.ROOT, "embedding into the vector index: %d of %d images, %.0f images/s",
                        done, total, imagesPerSecond));
                notifyChanged(run);
            }
        }

        @Override
        public void onIndexed(RunSummary.SearchIndex index) {
            run.message(String.format(Locale.ROOT, "vector index: %d vectors of %d, %.1f MB (embedding %.1f s, graph %.1f s); %s",
                    index.count(), index.dimension(), index.sizeBytes() / 1e6, index.embeddingSeconds(), index.buildSeconds(),
                    index.qualityLine()));
            saved();
        }

        @Override
        public void onResumed(int completedEpochs, int epochs, Path checkpoint) {
            run.resumedFrom(completedEpochs);
            run.message("resuming from " + checkpoint + " after epoch " + completedEpochs + " of " + epochs);
            saved();
        }

        @Override
        public void onEvaluated(RunMetrics metrics) {
            run.metrics(metrics);
        }

        @Override
        public void onGate(Gate.Decision decision) {
            run.gate(decision);
        }

        @Override
        public void onPublished(PublishedVersion v) {
            run.published(v.version(), v.modelFile().toUri().toString());
        }

        @Override
        public void onEvent(boolean sent, String problem) {
            run.event(sent, problem);
        }
    }

    private void end(Run run, RunState state, String error) {
        // One step under the lock: whoever sees the final state can start the next run (a caller
        // that saw SUCCEEDED used to get a 409 naming that finished run).
        synchronized (this) {
            run.finish(state, error);
            if (active == run) {
                active = null;
            }
        }
        persist(run);
        LOG.infof("training run %s %s%s", run.id, state, error == null ? "" : ": " + error);
        notifyChanged(run);
        synchronized (this) {
            subscribers.remove(run.id);
        }
    }

    private void notifyChanged(Run run) {
        RunStatus s = run.status();
        List<Consumer<RunStatus>> l;
        synchronized (this) {
            l = subscribers.getOrDefault(run.id, List.of());
        }
        for (Consumer<RunStatus> c : l) {
            try {
                c.accept(s);
            } catch (RuntimeException e) {
                LOG.debugf("a listener of run %s failed: %s", run.id, e);
            }
        }
        for (Consumer<RunStatus> o : observers) {
            try {
                o.accept(s);
            } catch (RuntimeException e) {
                LOG.debugf("an observer of run %s failed: %s", run.id, e);
            }
        }
    }

    private void persist(Run run) {
        Path dir = directory(run.id);
        try {
            Files.createDirectories(dir);
            Durable.writeAtomically(dir.resolve(STATE_FILE), JSON.writeValueAsBytes(run.status()));
        } catch (IOException e) {
            LOG.errorf("cannot write the state of run %s to %s: %s", run.id, dir, e.getMessage());
        }
    }

    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != e; e = c, c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    /**
     * Stops the worker: an active run stops at its next step and stays active on disk, to be
     * resumed at the next start. Waits up to {@code timeoutSeconds}.
     */
    public void shutdown(long timeoutSeconds) {
        synchronized (this) {
            closed = true;
            if (active != null) {
                active.shutdownRequested = true;
            }
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(timeoutSeconds, TimeUnit.SECONDS)) {
                LOG.warnf("the training run did not stop within %d s", timeoutSeconds);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(60);
    }
}
