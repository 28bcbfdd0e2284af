package org.supcon.trainer.ingest;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends dead-letter records and returns once the broker acknowledged every one of them. */
@FunctionalInterface
public interface DeadLetterSink {

    /**
     * @throws org.apache.kafka.common.KafkaException if any record was not acknowledged; the
     *     batch is then retried, and records already sent may be sent again
     */
    void sendAll(List<ProducerRecord<byte[], byte[]>> records);
}
