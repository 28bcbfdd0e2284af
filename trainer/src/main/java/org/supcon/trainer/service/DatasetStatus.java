package org.supcon.trainer.service;

import java.util.List;
import java.util.SortedMap;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code GET /dataset} answers: the dataset cache and its consumer.
 *
 * @param samples unique samples (one per id) in the cache
 * @param perLabel samples per label
 * @param dlq records of the topic sent to the dead-letter topic, each counted once, kept across restarts
 * @param dlqPerReason {@code dlq} per reason code
 * @param bytes bytes of the cache's segment files on disk (superseded entries of relabelled ids included)
 * @param offsets per {@code <topic>-<partition>}, the next offset to read: everything before it is in the cache or the DLQ
 * @param lag per assigned {@code <topic>-<partition>}, records not yet stored (end offset minus {@code offsets}), when known
 * @param consumer the consumer's state
 */
@Schema(description = "The dataset cache and its consumer")
public record DatasetStatus(
        int samples,
        SortedMap<String, Integer> perLabel,
        long dlq,
        SortedMap<String, Long> dlqPerReason,
        long bytes,
        SortedMap<String, Long> offsets,
        SortedMap<String, Long> lag,
        Consumer consumer) {

    /**
     * @param state {@code STARTING}, {@code RUNNING}, {@code RETRYING} or {@code STOPPED}
     * @param topic the topic consumed
     * @param groupId the consumer group
     * @param assigned the partitions assigned to this consumer, {@code <topic>-<partition>}
     * @param consumedRecords records processed since start
     * @param lastError the last failure since start (Kafka unreachable, a disk error), or null
     * @param lastErrorAt when it happened (ISO-8601), or null
     * @param failedAttempts consecutive failed attempts while {@code RETRYING}, else 0
     */
    @Schema(name = "DatasetConsumerStatus")
    public record Consumer(String state, String topic, String groupId, List<String> assigned, long consumedRecords,
                           String lastError, String lastErrorAt, int failedAttempts) {
    }
}
