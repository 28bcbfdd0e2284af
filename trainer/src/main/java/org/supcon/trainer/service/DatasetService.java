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
        // Read in the reverse of the order the consumer writes a batch (samples, dead letters, offsets,
        // commit, then its status), so every part is at least as new as the one read before it: a
        // status that counts a batch comes with that batch's offsets, dead letters and samples.
        ConsumerStatus c = consumer.status();
        TreeMap<String, Long> offsets = new TreeMap<>(cache.offsets());
        var deadLetters = consumer.deadLetters();
        long dlq = deadLetters.total();
        var dlqPerReason = deadLetters.perReason();
        DatasetCache.Stats stats = cache.stats();
        // the lag is counted from the stored offsets (records not yet in the cache or the DLQ), not from
        // the consumer's position, which runs ahead of them while a polled batch is being stored -- so
        // lag 0 means the offsets are at the end
        TreeMap<String, Long> lag = new TreeMap<>();
        for (ConsumerStatus.Partition p : c.partitions()) {
            String key = p.topic() + "-" + p.partition();
            Long stored = offsets.get(key);
            if (p.end() != null && stored != null) {
                lag.put(key, Math.max(0, p.end() - stored));
            } else if (p.lag() != null) {
                lag.put(key, p.lag());
            }
        }
        List<String> assigned = c.partitions().stream().map(p -> p.topic() + "-" + p.partition()).toList();
        return new DatasetStatus(stats.samples(), stats.perLabel(), dlq, dlqPerReason, stats.bytes(),
                offsets, lag,
                new DatasetStatus.Consumer(c.state().name(), config.topics().labeledImages(), config.consumer().groupId(),
                        assigned, c.consumedRecords(), c.lastError(), c.lastErrorAt() == null ? null : c.lastErrorAt().toString(),
                        c.failedAttempts()));
    }
}
