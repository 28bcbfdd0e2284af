package org.supcon.trainer.service;

import jakarta.inject.Singleton;
import java.util.List;
import java.util.TreeMap;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.ingest.ConsumerStatus;

/** Builds {@link DatasetStatus} from the cache, the DLQ ledger and the consumer's status. */
@Singleton
public class DatasetService {

    private final DatasetStore store;
    private final DatasetConsumer consumer;
    private final TrainerConfig config;

    public DatasetService(DatasetStore store, DatasetConsumer consumer, TrainerConfig config) {
        this.store = store;
        this.consumer = consumer;
        this.config = config;
    }

    public DatasetStatus status() {
        DatasetCache cache = store.cache();
        DatasetCache.Stats stats = cache.stats();
        ConsumerStatus c = consumer.status();
        TreeMap<String, Long> lag = new TreeMap<>();
        for (ConsumerStatus.Partition p : c.partitions()) {
            if (p.lag() != null) {
                lag.put(p.topic() + "-" + p.partition(), p.lag());
            }
        }
        List<String> assigned = c.partitions().stream().map(p -> p.topic() + "-" + p.partition()).toList();
        var deadLetters = consumer.deadLetters();
        return new DatasetStatus(stats.samples(), stats.perLabel(), deadLetters.total(), deadLetters.perReason(), stats.bytes(),
                new TreeMap<>(cache.offsets()), lag,
                new DatasetStatus.Consumer(c.state().name(), config.topics().labeledImages(), config.consumer().groupId(),
                        assigned, c.consumedRecords(), c.lastError(), c.lastErrorAt() == null ? null : c.lastErrorAt().toString(),
                        c.failedAttempts()));
    }
}
