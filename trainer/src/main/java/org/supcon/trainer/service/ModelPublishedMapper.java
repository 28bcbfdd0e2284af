package org.supcon.trainer.service;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.supcon.common.repository.ModelCard;
import org.supcon.proto.v1.ModelPublished;
import org.supcon.trainer.repository.PublishedVersion;

/** A published version as the {@code ModelPublished} event: every field from its model card. */
public final class ModelPublishedMapper {

    private ModelPublishedMapper() {}

    public static ModelPublished toEvent(PublishedVersion v, String runId) {
        ModelCard card = v.card();
        Instant created = Instant.parse(card.createdAt());
        ModelPublished.Builder b = ModelPublished.newBuilder()
                .setModelName(card.modelName())
                .setVersion(card.version())
                .setLocation(v.modelFile().toAbsolutePath().toUri().toString())
                .setSha256(card.sha256())
                .putAllMetrics(card.metrics())
                .addAllLabels(card.labels())
                .setCreated(Timestamp.newBuilder().setSeconds(created.getEpochSecond()).setNanos(created.getNano()))
                .setChannels(card.channels())
                .setHeight(card.height())
                .setWidth(card.width());
        String run = runId != null ? runId : card.runId();
        if (run != null) {
            b.setRunId(run);
        }
        return b.build();
    }
}
