package org.supcon.trainer.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.dataset.DatasetCache;

/**
 * The service's one open {@link DatasetCache} ({@code trainer.data-dir/dataset}): the consumer
 * appends to it, training runs take snapshots of it, {@code GET /dataset} reads its stats. Opened
 * at start in {@code serve} only (the command-line tools never touch it).
 */
@Singleton
public class DatasetStore {

    private static final Logger LOG = Logger.getLogger(DatasetStore.class);

    private final TrainerConfig config;
    private volatile DatasetCache cache;

    public DatasetStore(TrainerConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.consumer().enabled()) {
            open();
        }
    }

    void onStop(@Observes ShutdownEvent event) throws IOException {
        DatasetCache c = cache;
        if (c != null) {
            c.close();
        }
    }

    public ImageGeometry geometry() {
        TrainerConfig.Dataset d = config.dataset();
        return new ImageGeometry(d.channels(), d.height(), d.width());
    }

    public Path dir() {
        return config.dataDir().resolve("dataset");
    }

    /** Opens the cache (idempotent); rebuilds the index from its segments. */
    public synchronized DatasetCache open() {
        if (cache == null) {
            try {
                cache = DatasetCache.open(dir(), geometry());
                DatasetCache.Stats s = cache.stats();
                LOG.infof("dataset cache %s: %d samples, %d labels, %d bytes", dir(), s.samples(), s.perLabel().size(), s.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the dataset cache in " + dir() + ": " + e.getMessage(), e);
            }
        }
        return cache;
    }

    /** The open cache. */
    public DatasetCache cache() {
        DatasetCache c = cache;
        return c != null ? c : open();
    }

    public boolean isOpen() {
        return cache != null;
    }
}
