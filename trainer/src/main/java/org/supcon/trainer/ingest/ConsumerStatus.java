package org.supcon.trainer.ingest;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of the dataset consumer for {@code GET /dataset} and the readiness check.
 *
 * @param state what the consumer is doing
 * @param lastError the last failure (Kafka unreachable, a disk error), null if none since start
 * @param lastErrorAt when {@code lastError} happened, or null
 * @param failedAttempts consecutive failed attempts, 0 once an attempt succeeds
 * @param partitions the assigned partitions, empty before the group assigned any
 * @param consumedRecords records processed (cached or dead-lettered) since start
 */
public record ConsumerStatus(State state, String lastError, Instant lastErrorAt, int failedAttempts, List<Partition> partitions,
                             long consumedRecords) {

    public ConsumerStatus {
        partitions = List.copyOf(partitions);
    }

    public enum State {
        /** Not polled yet, or waiting for the group to assign partitions. */
        STARTING,
        /** Polling and processing. */
        RUNNING,
        /** The last attempt failed (see {@code lastError}); it waits and tries again. */
        RETRYING,
        /** Stopped (shutdown), or disabled by configuration. */
        STOPPED
    }

    /**
     * One assigned partition.
     *
     * @param offset the next offset to read; everything before it is in the cache or the DLQ (null until known)
     * @param end the partition's end offset as last seen (null until known)
     * @param lag {@code end - offset} (null until both are known)
     */
    public record Partition(String topic, int partition, Long offset, Long end, Long lag) {
    }

    public static ConsumerStatus initial() {
        return new ConsumerStatus(State.STARTING, null, null, 0, List.of(), 0);
    }

    /** Sum of the known lags. */
    public long totalLag() {
        return partitions.stream().mapToLong(p -> p.lag() == null ? 0 : p.lag()).sum();
    }

    /** Whether the group assigned at least one partition. */
    public boolean assigned() {
        return !partitions.isEmpty();
    }
}
