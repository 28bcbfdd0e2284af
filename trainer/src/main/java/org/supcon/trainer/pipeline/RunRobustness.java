package org.supcon.trainer.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;
import org.supcon.common.repository.RepositoryLayout;
import org.supcon.trainer.export.ModelMetadata;
import org.supcon.trainer.export.OnnxExporter;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.robustness.OnnxClassifier;
import org.supcon.trainer.robustness.RobustnessEvaluation;
import org.supcon.trainer.robustness.RobustnessReport;
import org.supcon.trainer.train.TrainingRun;

/**
 * {@link Phase#ROBUSTNESS}, with the {@code robustness} setting: the run's model, exported to ONNX,
 * evaluated on the run's test images under every corruption at severities 1 to 5 (no baseline), as
 * the {@code evaluate} command does. It runs before the report and the publication so that both
 * carry it; the ONNX graph is the one the {@link Phase#EXPORT} phase writes and publishes (only
 * the version in its metadata differs), exported once more here because that phase exports per
 * version number.
 */
final class RunRobustness {

    private static final Logger LOG = Logger.getLogger(RunRobustness.class);

    private RunRobustness() {}

    /**
     * Evaluates and writes {@value RobustnessReport#FILE}, {@value RobustnessEvaluation#HEAT_MAP} and
     * the example grid into {@code output}; one phase message per corruption.
     *
     * @param seed seeds the corruptions (the run's seed)
     */
    static RobustnessReport evaluate(TrainingRun.Trained trained, ImageSet test, String dataset, String modelName,
            String runId, long seed, Path output, RunListener listener) throws IOException {
        ImageGeometry g = test.geometry();
        byte[] onnx = OnnxExporter.export(trained.net(), trained.classifier(), g,
                ModelMetadata.entries(trained.result().labels(), g, modelName, "unpublished", Map.of("runId", runId)));
        RobustnessEvaluation.Options options = RobustnessEvaluation.Options.all(seed);
        RobustnessReport report;
        try (OnnxClassifier classifier = new OnnxClassifier(onnx)) {
            report = RobustnessEvaluation.run(classifier, new RobustnessReport.ModelRef(modelName, "run " + runId,
                    output.resolve(RepositoryLayout.MODEL_FILE).toString()), null, null, test, dataset, options,
                    new RobustnessEvaluation.Progress() {
                        @Override
                        public void onCorruption(RobustnessReport.CorruptionResult r, int done, int total) {
                            String line = RobustnessEvaluation.line(r, done, total);
                            LOG.infof("run %s: %s", runId, line);
                            listener.onPhase(Phase.ROBUSTNESS, line);
                        }
                    });
        }
        RobustnessEvaluation.write(output, report, test, 0, options);
        return report;
    }
}
