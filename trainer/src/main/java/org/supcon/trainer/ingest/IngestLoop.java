package org.supcon.trainer.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.supcon.trainer.dataset.DatasetCache;

/**
 * The dataset consumer's poll loop, on the thread that calls {@link #run()}: poll, {@link
 * BatchProcessor#process} (cache, DLQ, saved offsets), then {@code commitSync}.
 *
 * <p><b>The cache's offsets are the truth.</b> When the group assigns a partition, the loop seeks
 * to the offset saved in the {@link DatasetCache}, or to the beginning of the partition if the
 * cache has none (a new or deleted cache: the topic is replayed and the cache rebuilt). Kafka's
 * committed offsets only tell monitoring tools how far the group is.
 *
 * <p><b>Failures never end the loop.</b> A bad record is the processor's business (it goes to the
 * DLQ). Anything else that throws (Kafka unreachable, a DLQ send not acknowledged, a disk error)
 * puts the loop into {@link ConsumerStatus.State#RETRYING}: it logs the error once (again only if
 * it changes), waits with exponential backoff, seeks back to the cache's offsets and tries again;
 * records processed twice are absorbed. An idle loop probes the broker for end offsets every
 * {@link Settings#endOffsetsInterval} so that an outage shows even when no records flow.
 *
 * <p>{@link #stop()} may be called from any thread; {@link #run()} then returns soon. The caller
 * closes the consumer afterwards.
 */
public final class IngestLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger(IngestLoop.class);
    /** How often a long catch-up logs its progress. */
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * @param topic the topic to consume
     * @param pollTimeout longest wait in one {@code poll}
     * @param minBackoff first wait after a failure; doubled per failure up to {@code maxBackoff}
     * @param endOffsetsInterval how often end offsets are asked for (the lag between fetches, and the outage probe)
     * @param requestTimeout longest wait for a position or end offsets before it counts as a failure
     */
    public record Settings(String topic, Duration pollTimeout, Duration minBackoff, Duration maxBackoff,
                           Duration endOffsetsInterval, Duration requestTimeout) {
        public Settings {
            Objects.requireNonNull(topic, "topic");
            if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
                throw new IllegalArgumentException("need 0 < minBackoff <= maxBackoff, got " + minBackoff + ", " + maxBackoff);
            }
        }
    }

    /** Told about every durable batch and every status change; called on the loop's thread, must not block. */
    public interface Listener {
        default void batchDone(BatchProcessor.Result result) {
        }

        default void statusChanged(ConsumerStatus status) {
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final BatchProcessor processor;
    private final DatasetCache cache;
    private final Settings settings;
    private final Listener listener;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopped;
    private volatile ConsumerStatus status = ConsumerStatus.initial();

    // loop-thread state
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private long lastEndOffsetsNanos;
    private long consumed;
    private String lastError;
    private Instant lastErrorAt;
    private int failures;
    private long failingSinceNanos;
    private long busyStartNanos = -1;
    private long busyRecords;
    private long lastProgressNanos;

    public IngestLoop(Consumer<byte[], byte[]> consumer, BatchProcessor processor, DatasetCache cache, Settings settings,
                      Listener listener) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.processor = Objects.requireNonNull(processor, "processor");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = listener == null ? new Listener() { } : listener;
    }

    /** The latest snapshot; safe from any thread. */
    public ConsumerStatus status() {
        return status;
    }

    /** Ends {@link #run()} soon (after the batch in progress); safe from any thread. */
    public void stop() {
        stopped = true;
        stopSignal.countDown();
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(settings.topic()), new Rebalance());
            long backoff = settings.minBackoff().toMillis();
            while (!stopped) {
                try {
                    pollOnce();
                    if (failures > 0) {
                        LOG.infof("dataset consumer recovered after %d failed attempt(s) in %.0f s; last error: %s", failures,
                                (System.nanoTime() - failingSinceNanos) / 1e9, lastError);
                        failures = 0;
                        backoff = settings.minBackoff().toMillis();
                    }
                } catch (WakeupException e) {
                    // stop() woke the consumer; the loop condition ends it
                } catch (Exception e) {
                    failed(e, backoff);
                    if (stopSignal.await(backoff, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
                    rewind();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "dataset consumer died: %s", BatchProcessor.describe(e));
            lastError = "died: " + BatchProcessor.describe(e);
            lastErrorAt = Instant.now();
            throw e;
        } finally {
            publish(ConsumerStatus.State.STOPPED, status.partitions());
        }
    }

    private void pollOnce() throws Exception {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
        if (stopped) {
            return;
        }
        if (!records.isEmpty()) {
            long now = System.nanoTime();
            if (busyStartNanos < 0) {
                busyStartNanos = now;
                lastProgressNanos = now;
                busyRecords = 0;
            }
            BatchProcessor.Result result = processor.process(records);
            // stored (the cache and its offsets are the truth): counted and announced now, even if the
            // commit below fails -- the loop then rewinds to the stored offsets and never reads them again
            consumed += result.records();
            busyRecords += result.records();
            listener.batchDone(result);
            Map<TopicPartition, OffsetAndMetadata> commit = new LinkedHashMap<>();
            result.next().forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
            consumer.commitSync(commit);
        }
        refresh(!records.isEmpty());
    }

    /** Positions, end offsets and lag of the assigned partitions; logs catch-up progress. */
    private void refresh(boolean hadRecords) {
        Set<TopicPartition> assigned = consumer.assignment();
        long now = System.nanoTime();
        boolean unknown = false;
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : assigned) {
            long position = consumer.position(tp, settings.requestTimeout());
            positions.put(tp, position);
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent()) {
                ends.put(tp, position + lag.getAsLong());
            } else {
                unknown = true;
            }
        }
        boolean probeDue = now - lastEndOffsetsNanos >= settings.endOffsetsInterval().toNanos();
        try {
            if (!assigned.isEmpty() && ((unknown && !hadRecords) || probeDue)) {
                // doubles as the outage probe: throws a TimeoutException when the broker does not answer
                ends.putAll(consumer.endOffsets(assigned, settings.requestTimeout()));
                lastEndOffsetsNanos = now;
            } else if (assigned.isEmpty() && probeDue) {
                // not in the group yet: is there a broker at all? (poll alone waits silently forever)
                consumer.partitionsFor(settings.topic(), settings.requestTimeout());
                lastEndOffsetsNanos = now;
            }
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer from Kafka within " + settings.requestTimeout().toSeconds()
                    + " s (is the broker running and kafka.bootstrap.servers right?): " + e.getMessage(), e);
        }
        ends.keySet().retainAll(assigned);
        List<ConsumerStatus.Partition> partitions = new ArrayList<>();
        for (TopicPartition tp : assigned) {
            Long position = positions.get(tp);
            Long end = ends.get(tp);
            Long lag = end == null ? null : Math.max(0, end - position);
            partitions.add(new ConsumerStatus.Partition(tp.topic(), tp.partition(), position, end, lag));
        }
        partitions.sort(Comparator.comparing(ConsumerStatus.Partition::topic).thenComparing(ConsumerStatus.Partition::partition));
        ConsumerStatus.State state = assigned.isEmpty() ? ConsumerStatus.State.STARTING : ConsumerStatus.State.RUNNING;
        publish(state, partitions);
        logProgress(now, partitions);
    }

    private void logProgress(long now, List<ConsumerStatus.Partition> partitions) {
        if (busyStartNanos < 0) {
            return;
        }
        boolean allKnown = partitions.stream().allMatch(p -> p.lag() != null);
        long lag = status.totalLag();
        double seconds = (now - busyStartNanos) / 1e9;
        if (allKnown && lag == 0) {
            DatasetCache.Stats stats = cache.stats();
            LOG.infof("caught up with %s: %d records in %.2f s (%.0f records/s); cache: %d samples, %d labels", settings.topic(),
                    busyRecords, seconds, busyRecords / Math.max(seconds, 1e-9), stats.samples(), stats.perLabel().size());
            busyStartNanos = -1;
        } else if (now - lastProgressNanos >= PROGRESS_NANOS) {
            LOG.infof("ingesting %s: %d records in %.0f s (%.0f records/s), lag %s", settings.topic(), busyRecords, seconds,
                    busyRecords / Math.max(seconds, 1e-9), allKnown ? Long.toString(lag) : "unknown");
            lastProgressNanos = now;
        }
    }

    private void failed(Exception e, long backoffMillis) {
        String message = BatchProcessor.describe(e);
        if (failures == 0) {
            failingSinceNanos = System.nanoTime();
        }
        failures++;
        // the same failure again (numbers aside, e.g. "in 10001ms") is not news
        boolean same = lastError != null && message.replaceAll("\\d+", "N").equals(lastError.replaceAll("\\d+", "N"));
        if (failures == 1 || !same) {
            LOG.warnf("dataset consumer: %s; retrying every %d-%d s (logged once until the error changes)", message,
                    Math.max(1, backoffMillis / 1000), settings.maxBackoff().toSeconds());
        } else {
            LOG.debugf("dataset consumer: attempt %d failed: %s", failures, message);
        }
        lastError = message;
        lastErrorAt = Instant.now();
        publish(ConsumerStatus.State.RETRYING, status.partitions());
    }

    /** After a failure: back to the cache's offsets, so that nothing half-done is skipped. */
    private void rewind() {
        try {
            seekToCache(consumer.assignment(), false);
        } catch (RuntimeException e) {
            // the next poll fails the same way and is retried
            LOG.debugf("dataset consumer: rewinding failed: %s", e);
        }
    }

    private void seekToCache(Collection<TopicPartition> partitions, boolean log) {
        Map<String, Long> saved = cache.offsets();
        List<TopicPartition> fromStart = new ArrayList<>();
        Map<String, Long> resumed = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            Long offset = saved.get(BatchProcessor.offsetKey(tp));
            if (offset != null) {
                consumer.seek(tp, offset);
                resumed.put(BatchProcessor.offsetKey(tp), offset);
            } else {
                fromStart.add(tp);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        if (log && !partitions.isEmpty()) {
            LOG.infof("dataset consumer assigned %s: resuming at the cache's offsets %s%s", partitions, resumed,
                    fromStart.isEmpty() ? "" : "; from the beginning (not in the cache, replayed to build it): " + fromStart);
        }
    }

    private void publish(ConsumerStatus.State state, List<ConsumerStatus.Partition> partitions) {
        ConsumerStatus next = new ConsumerStatus(state, lastError, lastErrorAt, failures, partitions, consumed);
        status = next;
        try {
            listener.statusChanged(next);
        } catch (RuntimeException e) {
            LOG.debugf("dataset consumer listener failed: %s", e);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            seekToCache(partitions, true);
            ends.keySet().removeIf(partitions::contains);
            lastEndOffsetsNanos = 0;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // every processed batch is committed before the next poll: nothing pending to flush
            if (!partitions.isEmpty()) {
                LOG.infof("dataset consumer: partitions revoked %s", partitions);
            }
        }
    }
}
