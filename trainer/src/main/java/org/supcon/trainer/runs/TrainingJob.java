package org.supcon.trainer.runs;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.jboss.logging.Logger;
import org.supcon.trainer.data.DatasetSplit;
import org.supcon.trainer.data.ImageSet;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.export.ModelPublisher;
import org.supcon.trainer.report.Pca;
import org.supcon.trainer.report.RunReport;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.train.EpochStats;
import org.supcon.trainer.train.Features;
import org.supcon.trainer.train.ProgressListener;
import org.supcon.trainer.train.TrainResult;
import org.supcon.trainer.train.TrainSettings;
import org.supcon.trainer.train.TrainingRun;

/**
 * The steps of one training run over the dataset cache, the service's counterpart of the
 * {@code train} command: snapshot, held-out split, training (first stage + linear probe, with
 * per-epoch checkpoints), evaluation, report, gate, export + parity check + publish, event.
 * Plain Java; {@link RunManager} runs it on its worker thread.
 */
final class TrainingJob {

    private static final Logger LOG = Logger.getLogger(TrainingJob.class);
    static final String SNAPSHOT_IDS = "snapshot-ids.txt";
    /** Test images drawn in the embedding projection. */
    static final int PROJECTION_POINTS = 2000;

    private final DatasetSnapshots snapshots;
    private final ModelRepository repository;
    private final Gate gate;
    private final ModelEvents events;
    private final Device device;

    TrainingJob(DatasetSnapshots snapshots, ModelRepository repository, Gate gate, ModelEvents events, Device device) {
        this.snapshots = snapshots;
        this.repository = repository;
        this.gate = gate;
        this.events = events;
        this.device = device;
    }

    /**
     * Runs {@code run} in {@code runDir} to its end; {@code changed} is called after every update.
     * Throws {@link TrainingRun.RunStoppedException} when stopped (cancel or shutdown).
     */
    void execute(Run run, Path runDir, Runnable changed, Runnable persist) throws Exception {
        // the TrainingRun output (checkpoint, summary, model, report) beside state.json; the
        // directory name is the run id the model card records
        Path output = runDir;
        Files.createDirectories(output);
        run.stage("snapshot");
        persist.run();
        DatasetCache.IdentifiedSnapshot snap = snapshots.take();
        Path idsFile = runDir.resolve(SNAPSHOT_IDS);
        boolean resumed = Files.exists(idsFile);
        if (resumed) {
            // a resumed run trains on the samples its checkpoint was trained on
            snap = restrict(snap, Files.readAllLines(idsFile), run.dataset());
        } else {
            Path tmp = runDir.resolve(SNAPSHOT_IDS + ".tmp");
            Files.write(tmp, snap.ids());
            Files.move(tmp, idsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        ImageSet all = snap.images();
        if (all.numClasses() < 2) {
            throw new IllegalStateException("the dataset cache holds " + all.size() + " samples of " + all.numClasses()
                    + " label(s); a run needs at least two labels");
        }
        RunSettings rs = run.settings;
        HeldOutSplit.Parts parts = HeldOutSplit.split(all, snap.ids(), snap.splits(), rs.testFraction());
        if (parts.test().size() == 0 || parts.train().size() < 2) {
            throw new IllegalStateException("the dataset cache holds " + all.size() + " samples: too few for a held-out test part ("
                    + parts.test().size() + " test, " + parts.train().size() + " train)");
        }
        DatasetSplit.Split split = DatasetSplit.split(parts.train(), rs.validationFraction(), rs.seed());
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("samples", all.size());
        dataset.put("labels", all.labelNames());
        dataset.put("trainImages", split.train().size());
        dataset.put("validationImages", split.validation().size());
        dataset.put("testImages", parts.test().size());
        dataset.put("testSplit", parts.source() == HeldOutSplit.Source.RECORDS ? "records with split \"test\""
                : "stratified by id hash, fraction " + rs.testFraction());
        dataset.put("offsets", snap.offsets());
        run.dataset(dataset);
        String description = "dataset cache: " + all.size() + " samples, offsets " + snap.offsets();
        TrainingRun.Data data = new TrainingRun.Data(split.train(), split.validation(), parts.test(), description);
        TrainSettings ts = rs.toTrainSettings(output);
        run.message(String.format(Locale.ROOT, "%d train, %d validation, %d test images; %d labels",
                split.train().size(), split.validation().size(), parts.test().size(), all.numClasses()));

        run.stage("training");
        persist.run();
        ProgressListener listener = new ProgressListener() {
            private long lastNotify;

            @Override
            public void onStep(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double lr, double ips, double eta) {
                run.step(epoch, epochs, step, stepsPerEpoch, loss, lr, ips);
                long now = System.nanoTime();
                if (now - lastNotify > 200_000_000L || step == stepsPerEpoch) {
                    lastNotify = now;
                    changed.run();
                }
            }

            @Override
            public void onEpoch(EpochStats stats, int epochs) {
                run.epochDone(stats);
                persist.run();
            }

            @Override
            public void onPhase(String message) {
                run.message(message);
                if (message.startsWith("resuming")) {
                    run.resumedFrom(Integer.parseInt(message.replaceAll(".* after epoch (\\d+) of .*", "$1")));
                } else if (message.startsWith("linear stage") && !message.contains("evaluating")) {
                    run.stage("linear-probe");
                } else if (message.contains("evaluating")) {
                    run.stage("evaluation");
                }
                persist.run();
            }
        };
        try (NDManager manager = NDManager.newBaseManager(device)) {
            TrainingRun.Trained[] trained = new TrainingRun.Trained[1];
            TrainResult result = new TrainingRun(ts, data, listener)
                    .stopWhen(() -> run.cancelRequested || run.shutdownRequested)
                    .run(manager, t -> trained[0] = t);
            run.resumedFrom(result.resumedFromEpoch());
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("testAccuracy", result.testAccuracy());
            metrics.put("validationAccuracy", Double.isNaN(result.validationAccuracy()) ? null : result.validationAccuracy());
            metrics.put("testImages", result.testImages());
            metrics.put("labels", result.labels());
            metrics.put("confusionMatrix", result.confusionMatrix());
            run.metrics(metrics);
            if (run.cancelRequested || run.shutdownRequested) {
                throw new TrainingRun.RunStoppedException("stopped after the evaluation");
            }

            run.stage("report");
            changed.run();
            ImageSet shown = data.test().head(Math.min(PROJECTION_POINTS, data.test().size()));
            Features emb = TrainingRun.encode(trained[0].net(), new ParameterStore(manager, false), manager, shown, true);
            double[][] xy = Pca.project(emb.values(), emb.rows(), emb.dim(), 2);
            Map<String, Path> files = new LinkedHashMap<>();
            Path summary = output.resolve("summary.json");
            org.supcon.trainer.cli.TrainCommand.writeSummary(summary, result, null);
            files.put("summary.json", summary);

            OptionalDouble current = OptionalDouble.empty();
            long currentVersion = 0;
            if (repository != null) {
                var latest = repository.latest(run.modelName);
                if (latest.isPresent()) {
                    currentVersion = latest.get().version();
                    Double acc = latest.get().card().metrics().get("testAccuracy");
                    current = acc == null ? OptionalDouble.empty() : OptionalDouble.of(acc);
                }
            }
            Gate.Decision decision = repository == null
                    ? new Gate.Decision(false, "no model repository configured", result.testAccuracy(), null, null)
                    : gate.decide(result.testAccuracy(), currentVersion, current);
            run.gate(decision);
            String title = run.modelName + " run " + run.id;
            for (Map.Entry<String, Path> e : RunReport.write(output, title, result, xy, emb.labels(), decision, run.dataset()).entrySet()) {
                files.put(e.getKey(), e.getValue());
            }
            LOG.infof("run %s: test accuracy %.4f; gate: %s", run.id, result.testAccuracy(), decision.reason());

            run.stage("export");
            run.message(decision.publish() ? "exporting ONNX, checking parity, publishing" : "exporting ONNX and checking parity (not publishing: "
                    + decision.reason() + ")");
            persist.run();
            ModelPublisher.Outcome out = ModelPublisher.exportAndPublish(manager, trained[0], result, data, run.modelName,
                    decision.publish() ? repository : null, output, files);
            org.supcon.trainer.cli.TrainCommand.writeSummary(summary, result, out);
            PublishedVersion v = out.published();
            if (v != null) {
                run.published(v.version(), v.modelFile().toUri().toString());
                run.stage("event");
                persist.run();
                try {
                    events.published(v, run.id);
                    run.event(true, null);
                } catch (Exception e) {
                    // the version is published and immutable; the inference service also polls the repository
                    LOG.errorf("run %s: version %d published but the ModelPublished event failed: %s", run.id, v.version(), e);
                    run.event(false, "version " + v.version() + " was published but the ModelPublished event was not sent: " + e);
                }
            }
            run.message(v != null ? "published " + run.modelName + " version " + v.version()
                    : "not published: " + decision.reason());
        }
    }

    /** The snapshot restricted to the ids a run started with (resume). */
    private static DatasetCache.IdentifiedSnapshot restrict(DatasetCache.IdentifiedSnapshot snap, List<String> ids,
            Map<String, Object> recorded) {
        Set<String> wanted = new LinkedHashSet<>(ids);
        int[] keep = new int[wanted.size()];
        int k = 0;
        List<String> keptIds = new java.util.ArrayList<>();
        List<String> keptSplits = new java.util.ArrayList<>();
        for (int i = 0; i < snap.ids().size(); i++) {
            if (wanted.contains(snap.ids().get(i))) {
                keep[k++] = i;
                keptIds.add(snap.ids().get(i));
                keptSplits.add(snap.splits().get(i));
            }
        }
        if (k != wanted.size()) {
            throw new IllegalStateException("cannot resume: " + (wanted.size() - k) + " samples of the run's snapshot are no longer in the dataset cache");
        }
        ImageSet images = snap.images().subset(keep);
        Object labels = recorded == null ? null : recorded.get("labels");
        if (labels != null && !labels.equals(images.labelNames())) {
            throw new IllegalStateException("cannot resume: the dataset's labels changed from " + labels + " to " + images.labelNames());
        }
        Map<String, Long> offsets = snap.offsets();
        if (recorded != null && recorded.get("offsets") instanceof Map<?, ?> m) {
            Map<String, Long> o = new java.util.TreeMap<>();
            m.forEach((key, val) -> o.put(String.valueOf(key), ((Number) val).longValue()));
            offsets = o;
        }
        return new DatasetCache.IdentifiedSnapshot(images, keptIds, keptSplits, offsets);
    }
}
