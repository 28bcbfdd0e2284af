package org.supcon.trainer.producer;

import java.util.List;

/**
 * What an {@code ingest} run did.
 *
 * @param topic where the records went
 * @param records records the run tried to publish
 * @param sent records the broker acknowledged
 * @param failed records that could not be built or were rejected
 * @param bytes key + value bytes of the acknowledged records, before compression
 * @param seconds wall time from the first send to the last acknowledgement
 * @param reasons the first few failures, {@code "<id>: <reason>"}
 */
public record IngestSummary(String topic, long records, long sent, long failed, long bytes, double seconds,
        List<String> reasons) {

    public IngestSummary {
        reasons = List.copyOf(reasons);
    }

    /** Acknowledged records per second of wall time. */
    public double recordsPerSecond() {
        return seconds > 0 ? sent / seconds : 0;
    }
}
