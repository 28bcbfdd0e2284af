package org.supcon.inference.service;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.supcon.inference.model.ServedModel;

/**
 * A validated version with its ONNX Runtime session and batcher. Reference-counted: the manager
 * holds one reference while the version is loaded and every request holds one while it runs, so
 * the session is closed only when the version was retired and its last request has finished.
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
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    LoadedModel(String name, long version, String sha256, int channels, int height, int width, List<String> labels,
            int embeddingDim, Map<String, String> metadata, OrtSession session, DynamicBatcher batcher) {
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

    DynamicBatcher batcher() {
        return batcher;
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
        LOG.infof("unloaded %s v%d", name, version);
    }

    @Override
    public String toString() {
        return name + " v" + version;
    }
}
