package org.supcon.trainer.pipeline;

import org.supcon.trainer.repository.PublishedVersion;
import org.supcon.trainer.train.ProgressListener;

/**
 * A training run's progress as typed events, in the order the {@link TrainingPipeline} emits
 * them: the console of the {@code train} command and the service's run state both listen.
 */
public interface RunListener extends ProgressListener {

    /** A phase starts; {@code message} is one line for a person. */
    default void onPhase(Phase phase, String message) {}

    /** The images are loaded and split. */
    default void onData(DatasetFacts facts) {}

    /** Training and evaluation ended. */
    default void onEvaluated(RunMetrics metrics) {}

    /** The vector index of every sample was written ({@link Phase#INDEX}). */
    default void onIndexed(RunSummary.SearchIndex index) {}

    /** The publication gate decided. */
    default void onGate(Gate.Decision decision) {}

    /** A new version was published. */
    default void onPublished(PublishedVersion version) {}

    /** The {@code ModelPublished} event was sent, or not ({@code problem} says why). */
    default void onEvent(boolean sent, String problem) {}
}
