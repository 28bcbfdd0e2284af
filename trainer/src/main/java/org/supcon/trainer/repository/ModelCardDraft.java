package org.supcon.trainer.repository;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.repository.ModelCard;
import org.supcon.common.repository.RepositoryLayout;

/**
 * A {@link ModelCard} before publication: everything but version, checksum, size and creation
 * time, which {@link ModelRepository#publish} fills in. Validated on construction.
 *
 * @param modelName repository name to publish under
 * @param labels class names by output index
 * @param metrics finite metric values (may be empty)
 * @param provenance JSON values describing the run (may be empty)
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param runId the training run; null when published by hand
 * @param index the vector index published beside the model; null without one
 */
public record ModelCardDraft(
        String modelName,
        List<String> labels,
        Map<String, Double> metrics,
        Map<String, Object> provenance,
        int channels,
        int height,
        int width,
        String runId,
        VectorIndexCard index) {

    public ModelCardDraft {
        RepositoryLayout.requireModelName(modelName);
        labels = ModelCard.requireLabels(modelName, labels);
        metrics = ModelCard.requireMetrics(modelName, metrics);
        provenance = provenance == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        ModelCard.requireGeometry(modelName, channels, height, width);
    }

    public static Builder builder() {
        return new Builder();
    }

    ModelCard toCard(long version, String sha256, long sizeBytes, String createdAt) {
        return new ModelCard(modelName, version, labels, metrics, provenance, sha256, sizeBytes, createdAt,
                channels, height, width, runId, index);
    }

    /** {@code setX} for required values, {@code optX} for optional ones; validated in {@link #build()}. */
    public static final class Builder {
        private String modelName;
        private List<String> labels;
        private Map<String, Double> metrics = Map.of();
        private Map<String, Object> provenance = Map.of();
        private int channels;
        private int height;
        private int width;
        private String runId;
        private VectorIndexCard index;

        private Builder() {}

        public Builder setModelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        public Builder setLabels(List<String> labels) {
            this.labels = labels;
            return this;
        }

        /** Input shape {@code [N, channels, height, width]}. */
        public Builder setInputShape(int channels, int height, int width) {
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }

        public Builder optMetrics(Map<String, Double> metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder optProvenance(Map<String, Object> provenance) {
            this.provenance = provenance;
            return this;
        }

        public Builder optRunId(String runId) {
            this.runId = runId;
            return this;
        }

        /** The card of the {@code vector-index.zip} published with the model (a file given to {@code publish}). */
        public Builder optIndex(VectorIndexCard index) {
            this.index = index;
            return this;
        }

        public ModelCardDraft build() {
            return new ModelCardDraft(modelName, labels, metrics, provenance, channels, height, width, runId, index);
        }
    }
}
