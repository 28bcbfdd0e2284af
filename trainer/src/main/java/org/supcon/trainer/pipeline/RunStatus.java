package org.supcon.trainer.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.settings.RunSettings;

/**
 * What is known about a training run at one moment: the body of {@code GET /training-runs/{id}},
 * each server-sent event of {@code /events}, and the run's {@code state.json}. Numbers not known
 * yet are null.
 *
 * @param id the run id (also its directory name under {@code trainer.data-dir/runs})
 * @param modelName the repository name the run publishes to
 * @param state QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param stage what an active run is doing: snapshot, training, linear-probe, evaluation, index, robustness, report,
 *     export, event; the last one reached for a finished run
 * @param message the latest progress line
 * @param settings the run's settings (defaults filled in)
 * @param createdAt when it was accepted, ISO-8601 UTC
 * @param startedAt when the worker took it
 * @param finishedAt when it reached a final state
 * @param epoch current first-stage epoch (1-based)
 * @param epochs first-stage epochs
 * @param step step in the epoch
 * @param stepsPerEpoch steps per epoch
 * @param loss mean loss of the current epoch so far
 * @param learningRate the latest step's learning rate
 * @param imagesPerSecond training images per second over the current epoch
 * @param etaSeconds estimated time left in the first stage
 * @param resumedFromEpoch epochs done before the latest (re)start, from the checkpoint
 * @param history per completed epoch: epoch, loss, learningRate, imagesPerSecond, validationAccuracy, seconds
 * @param dataset the snapshot: samples, train/validation/test sizes, test split source, labels and the cache's consumer offsets
 * @param metrics final metrics: testAccuracy, validationAccuracy, confusionMatrix ([true][predicted])
 * @param gate the gate's decision
 * @param published whether a model version was published
 * @param modelVersion the published version
 * @param modelLocation URI of the published model file
 * @param eventSent whether the ModelPublished event was acknowledged by Kafka
 * @param error why the run failed (or why the event could not be sent)
 * @param stageSeconds wall seconds per stage
 * @param device the DJL device the run trains on
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "modelName", "state", "stage", "message", "epoch", "epochs", "step", "stepsPerEpoch", "loss",
    "learningRate", "imagesPerSecond", "etaSeconds"})
public record RunStatus(
        String id,
        String modelName,
        RunState state,
        Phase stage,
        String message,
        RunSettings settings,
        String createdAt,
        String startedAt,
        String finishedAt,
        Integer epoch,
        Integer epochs,
        Integer step,
        Integer stepsPerEpoch,
        Double loss,
        Double learningRate,
        Double imagesPerSecond,
        Double etaSeconds,
        Integer resumedFromEpoch,
        List<Map<String, Object>> history,
        DatasetFacts dataset,
        RunMetrics metrics,
        Gate.Decision gate,
        Boolean published,
        Long modelVersion,
        String modelLocation,
        Boolean eventSent,
        String error,
        Map<String, Double> stageSeconds,
        String device) {}
