package org.supcon.trainer.pipeline;

import org.supcon.trainer.repository.PublishedVersion;

/** Announces a published version (the service sends {@code ModelPublished} to Kafka). */
@FunctionalInterface
public interface ModelEvents {

    /** Returns once the event is durable (acknowledged); throws when it could not be sent. */
    void published(PublishedVersion version, String runId) throws Exception;

    ModelEvents NONE = (v, id) -> {};
}
