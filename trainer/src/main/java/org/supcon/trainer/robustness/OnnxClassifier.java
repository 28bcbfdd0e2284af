package org.supcon.trainer.robustness;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.ModelMetadata;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

/**
 * An exported model ({@link OnnxContract}) in ONNX Runtime, in process on the CPU, as a classifier
 * of an {@link ImageSet}: raw pixels 0..255 go in as float (the graph normalises them), the
 * argmax of the {@value OnnxContract#LOGITS} output comes out, in batches. The model's classes
 * are matched to the set's by name, so a set whose classes are listed in another order is scored
 * right; a set with other classes or another image shape is refused.
 */
public final class OnnxClassifier implements AutoCloseable {

    /** Images per ONNX Runtime call. */
    public static final int BATCH = 256;

    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final ModelMetadata metadata;

    /**
     * Loads {@code onnx}.
     *
     * @throws IllegalArgumentException if the bytes are no model ONNX Runtime loads, or lack the
     *     contract's metadata (labels, geometry), naming what is missing
     */
    public OnnxClassifier(byte[] onnx) {
        this.env = OrtEnvironment.getEnvironment();
        this.options = new OrtSession.SessionOptions();
        OrtSession s = null;
        try {
            s = env.createSession(onnx, options);
            this.metadata = ModelMetadata.read(s);
            if (!s.getInputNames().contains(OnnxContract.INPUT) || !s.getOutputNames().contains(OnnxContract.LOGITS)) {
                throw new IllegalArgumentException("the model has inputs " + s.getInputNames() + " and outputs "
                        + s.getOutputNames() + "; an exported model has input '" + OnnxContract.INPUT + "' and output '"
                        + OnnxContract.LOGITS + "'");
            }
            this.session = s;
        } catch (OrtException e) {
            options.close();
            throw new IllegalArgumentException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            options.close();
            if (s != null) {
                try {
                    s.close();
                } catch (OrtException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The model's metadata: labels in logit order, input geometry, name and version. */
    public ModelMetadata metadata() {
        return metadata;
    }

    /**
     * Checks that {@code set} can be scored: same image geometry, same class names.
     *
     * @throws IllegalArgumentException naming the difference
     */
    public void requireCompatible(ImageSet set, String what) {
        if (!set.geometry().equals(metadata.geometry())) {
            throw new IllegalArgumentException(what + " images are " + set.geometry() + " but model "
                    + metadata.modelName() + " v" + metadata.modelVersion() + " takes " + metadata.geometry());
        }
        if (!new HashSet<>(set.labelNames()).equals(new HashSet<>(metadata.labels()))
                || set.labelNames().size() != metadata.labels().size()) {
            throw new IllegalArgumentException(what + " has classes " + set.labelNames() + " but model "
                    + metadata.modelName() + " v" + metadata.modelVersion() + " predicts " + metadata.labels());
        }
    }

    /** The share of {@code set}'s images whose predicted class is their label. */
    public double accuracy(ImageSet set) {
        return set.size() == 0 ? Double.NaN : (double) correct(set) / set.size();
    }

    /** How many of {@code set}'s images are predicted as their label. */
    public int correct(ImageSet set) {
        int[] predicted = predict(set);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == set.label(i) ? 1 : 0;
        }
        return correct;
    }

    /**
     * The predicted class of every image, as an index into {@code set.labelNames()}.
     *
     * @throws IllegalArgumentException if the set is not {@linkplain #requireCompatible compatible}
     */
    public int[] predict(ImageSet set) {
        requireCompatible(set, "the dataset");
        int[] toSet = new int[metadata.labels().size()];
        for (int k = 0; k < toSet.length; k++) {
            toSet[k] = set.labelNames().indexOf(metadata.labels().get(k));
        }
        ImageGeometry g = set.geometry();
        int pixels = g.pixels();
        int[] out = new int[set.size()];
        float[] chunk = new float[BATCH * pixels];
        byte[] all = set.pixels();
        for (int start = 0; start < set.size(); start += BATCH) {
            int n = Math.min(BATCH, set.size() - start);
            int base = set.offset(start);
            for (int i = 0; i < n * pixels; i++) {
                chunk[i] = all[base + i] & 0xFF;
            }
            long[] shape = {n, g.channels(), g.height(), g.width()};
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(chunk, 0, n * pixels), shape);
                    OrtSession.Result result = session.run(Map.of(OnnxContract.INPUT, input),
                            java.util.Set.of(OnnxContract.LOGITS))) {
                OnnxValue value = result.get(OnnxContract.LOGITS).orElseThrow();
                if (!(value instanceof OnnxTensor logits)
                        || !Arrays.equals(logits.getInfo().getShape(), new long[] {n, toSet.length})) {
                    throw new IllegalStateException("the model's " + OnnxContract.LOGITS + " output is not a ["
                            + n + ", " + toSet.length + "] tensor");
                }
                FloatBuffer b = logits.getFloatBuffer();
                for (int r = 0; r < n; r++) {
                    int best = 0;
                    float bestValue = b.get(r * toSet.length);
                    for (int k = 1; k < toSet.length; k++) {
                        float v = b.get(r * toSet.length + k);
                        if (v > bestValue) {
                            best = k;
                            bestValue = v;
                        }
                    }
                    out[start + r] = toSet[best];
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed on images " + start + ".." + (start + n - 1)
                        + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The model's classes, for messages. */
    public List<String> labels() {
        return metadata.labels();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session failed: " + e.getMessage(), e);
        } finally {
            options.close();
        }
    }

    @Override
    public String toString() {
        return Objects.toString(metadata.modelName()) + " v" + metadata.modelVersion();
    }
}
