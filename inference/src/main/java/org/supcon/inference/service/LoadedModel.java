package org.supcon.inference.service;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.inference.model.ServedModel;

/**
 * A validated version with its ONNX Runtime session, batcher and vector index (when it was
 * published with one). Reference-counted: the manager holds one reference while the version is
 * loaded and every request holds one while it runs, so the session and the index are closed only
 * when the version was retired and its last request has finished.
 */
public final class LoadedModel implements ServedModel {

    private static final Logger LOG = Logger.getLogger(LoadedModel.class);

    private final String name;
    private final long version;
    private final String sha256;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> labels;
    private final int embeddingDim;
    private final Map<String, String> metadata;
    private final OrtSession session;
    private final DynamicBatcher batcher;
    private final Index index;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    LoadedModel(String name, long version, String sha256, int channels, int height, int width, List<String> labels,
            int embeddingDim, Map<String, String> metadata, OrtSession session, DynamicBatcher batcher, Index index) {
        this.name = name;
        this.version = version;
        this.sha256 = sha256;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.labels = List.copyOf(labels);
        this.embeddingDim = embeddingDim;
        this.metadata = Map.copyOf(metadata);
        this.session = session;
        this.batcher = batcher;
        this.index = index;
    }

    /** The version's vector index as loaded and validated, and how long loading it took. */
    record Index(VectorIndexCard card, VectorIndex vectors, long loadMillis) {
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public String sha256() {
        return sha256;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public int embeddingDim() {
        return embeddingDim;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Optional<VectorIndexCard> index() {
        return index == null ? Optional.empty() : Optional.of(index.card());
    }

    DynamicBatcher batcher() {
        return batcher;
    }

    /** The loaded index; null when the version has none. */
    Index loadedIndex() {
        return index;
    }

    /** Takes a reference for one request; false once the session is closed or closing. */
    boolean acquire() {
        while (true) {
            int r = references.get();
            if (r == 0) {
                return false;
            }
            if (references.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            close();
        }
    }

    /** Drops the manager's reference: the session closes once the requests still running are done. */
    void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    boolean closed() {
        return references.get() == 0;
    }

    private void close() {
        batcher.close();
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warnf(e, "closing the session of %s v%d failed", name, version);
        }
        if (index != null) {
            try {
                index.vectors().close();
            } catch (IOException e) {
                LOG.warnf(e, "closing the vector index of %s v%d failed", name, version);
            }
        }
        LOG.infof("unloaded %s v%d", name, version);
    }

    @Override
    public String toString() {
        return name + " v" + version;
    }
}
