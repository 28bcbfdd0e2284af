package org.supcon.trainer.pipeline;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.settings.RunSettings;
import org.supcon.trainer.train.EpochStats;

/**
 * The live, mutable side of one run, owned by {@link RunManager}: the worker thread writes it,
 * readers take {@link #status()} copies. Every method is synchronized.
 */
final class Run {

    final String id;
    final String modelName;
    final RunSettings settings;
    private final String createdAt;
    private RunState state;
    private Phase stage;
    private String message;
    private String startedAt;
    private String finishedAt;
    private Integer epoch;
    private Integer step;
    private Integer stepsPerEpoch;
    private Double loss;
    private Double learningRate;
    private Double imagesPerSecond;
    private Double etaSeconds;
    private Integer resumedFromEpoch;
    private final List<Map<String, Object>> history = new ArrayList<>();
    private DatasetFacts dataset;
    private RunMetrics metrics;
    private Gate.Decision gate;
    private Boolean published;
    private Long modelVersion;
    private String modelLocation;
    private Boolean eventSent;
    private String error;
    private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
    private String device;
    private long stageStart;
    private long timedSteps;
    private long firstTimedStep;

    /** Set by DELETE: stop at the next step and end CANCELLED. */
    volatile boolean cancelRequested;
    /** Set at shutdown: stop at the next step and stay active, to be resumed at the next start. */
    volatile boolean shutdownRequested;

    Run(String id, String modelName, RunSettings settings) {
        this.id = id;
        this.modelName = modelName;
        this.settings = settings;
        this.createdAt = now();
        this.state = RunState.QUEUED;
    }

    /** A run read back from its {@code state.json}. */
    Run(RunStatus s) {
        this.id = s.id();
        this.modelName = s.modelName();
        this.settings = s.settings();
        this.createdAt = s.createdAt();
        this.state = s.state();
        this.stage = s.stage();
        this.message = s.message();
        this.startedAt = s.startedAt();
        this.finishedAt = s.finishedAt();
        this.epoch = s.epoch();
        this.step = s.step();
        this.stepsPerEpoch = s.stepsPerEpoch();
        this.loss = s.loss();
        this.learningRate = s.learningRate();
        this.imagesPerSecond = s.imagesPerSecond();
        this.resumedFromEpoch = s.resumedFromEpoch();
        if (s.history() != null) {
            history.addAll(s.history());
        }
        this.dataset = s.dataset();
        this.metrics = s.metrics();
        this.gate = s.gate();
        this.published = s.published();
        this.modelVersion = s.modelVersion();
        this.modelLocation = s.modelLocation();
        this.eventSent = s.eventSent();
        this.error = s.error();
        if (s.stageSeconds() != null) {
            stageSeconds.putAll(s.stageSeconds());
        }
        this.device = s.device();
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    synchronized RunState state() {
        return state;
    }

    synchronized void started(String device) {
        state = RunState.RUNNING;
        startedAt = now();
        this.device = device;
        error = null;
        timedSteps = 0;
        etaSeconds = null;
    }

    /** Ends the current phase's timer and starts {@code phase}'s. */
    synchronized void stage(Phase phase) {
        closeStage();
        stage = phase;
        stageStart = System.nanoTime();
    }

    private void closeStage() {
        if (stage != null && stageStart != 0) {
            stageSeconds.merge(stage.jsonName(), (System.nanoTime() - stageStart) / 1e9, Double::sum);
        }
        stageStart = 0;
    }

    synchronized void message(String line) {
        message = line;
    }

    synchronized void step(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double lr, double ips) {
        long now = System.nanoTime();
        if (timedSteps == 0) {
            firstTimedStep = now;
        }
        timedSteps++;
        this.epoch = epoch;
        this.step = step;
        this.stepsPerEpoch = stepsPerEpoch;
        this.loss = finite(loss);
        this.learningRate = finite(lr);
        this.imagesPerSecond = finite(ips);
        // the first timed step's duration is unknown; pace over the steps after it
        this.etaSeconds = finite(Eta.seconds(epoch, epochs, step, stepsPerEpoch, timedSteps - 1, (now - firstTimedStep) / 1e9));
    }

    synchronized void epochDone(EpochStats s) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("epoch", s.epoch());
        e.put("loss", finite(s.loss()));
        e.put("learningRate", finite(s.learningRate()));
        e.put("imagesPerSecond", finite(s.imagesPerSecond()));
        e.put("validationAccuracy", finite(s.validationAccuracy()));
        e.put("seconds", finite(s.seconds()));
        history.removeIf(h -> ((Number) h.get("epoch")).intValue() >= s.epoch());
        history.add(e);
        epoch = s.epoch();
        loss = finite(s.loss());
    }

    synchronized void resumedFrom(int epochs) {
        resumedFromEpoch = epochs;
    }

    synchronized void dataset(DatasetFacts d) {
        dataset = d;
    }

    synchronized DatasetFacts dataset() {
        return dataset;
    }

    synchronized void metrics(RunMetrics m) {
        metrics = m;
    }

    synchronized void gate(Gate.Decision g) {
        gate = g;
        published = false;
    }

    synchronized void published(long version, String location) {
        published = true;
        modelVersion = version;
        modelLocation = location;
    }

    synchronized void event(boolean sent, String problem) {
        eventSent = sent;
        if (problem != null) {
            error = problem;
        }
    }

    synchronized void finish(RunState end, String error) {
        closeStage();
        state = end;
        finishedAt = now();
        etaSeconds = null;
        if (error != null) {
            this.error = error;
        }
    }

    synchronized RunStatus status() {
        return new RunStatus(id, modelName, state, stage, message, settings, createdAt, startedAt, finishedAt,
                epoch, settings.epochs(), step, stepsPerEpoch, loss, learningRate, imagesPerSecond, etaSeconds,
                resumedFromEpoch, List.copyOf(history), dataset, metrics, gate, published, modelVersion, modelLocation,
                eventSent, error, new LinkedHashMap<>(stageSeconds), device);
    }
}
