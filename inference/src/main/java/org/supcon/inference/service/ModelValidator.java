package org.supcon.inference.service;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.supcon.common.index.VectorIndex;
import org.supcon.common.index.VectorIndexCard;
import org.supcon.common.model.OnnxContract;
import org.supcon.common.repository.ModelCard;
import org.supcon.inference.model.InferenceResult;
import org.supcon.inference.repository.RepositoryVersion;

/**
 * Checks a repository version against the serving contract before anything is served from it:
 * the card is readable and names this version; the file's size and SHA-256 match the card; ONNX
 * Runtime loads it; the input is {@code images} float32 {@code [N, C, H, W]} with a dynamic N and the
 * card's geometry; the outputs {@code embedding [N, D]}, {@code logits [N, K]} and
 * {@code probabilities [N, K]} are float32 with K = the number of labels; the labels and geometry in
 * the ONNX metadata, when present, agree with the card; and a smoke run of two images gives finite
 * outputs of those shapes with probability rows summing to 1. When the card names a vector index,
 * the index file matches the card (size, SHA-256, count, dimension = the model's embedding size)
 * and every sample's label is one of the model's; a bad index refuses the version like a bad model.
 */
public final class ModelValidator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SessionFactory sessions;

    public ModelValidator(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /**
     * Loads and validates a version.
     *
     * @param batcherFor builds the batcher around the validated session's runner
     * @return the loaded model, holding the manager's reference
     * @throws ModelRefusedException saying what is wrong; nothing stays open
     */
    public LoadedModel load(RepositoryVersion version, Function<Validated, DynamicBatcher> batcherFor)
            throws ModelRefusedException {
        String what = version.name() + " v" + version.version();
        ModelCard card;
        byte[] bytes;
        try {
            card = ModelCard.read(version.cardFile());
            bytes = Files.readAllBytes(version.modelFile());
        } catch (IOException e) {
            throw new ModelRefusedException(what + ": " + e.getMessage(), e);
        }
        if (card.labels().size() < 2) {
            throw new ModelRefusedException(what + ": its model card needs at least 2 labels to classify, has "
                    + card.labels());
        }
        if (!card.modelName().equals(version.name()) || card.version() != version.version()) {
            throw new ModelRefusedException(what + ": its model card says " + card.modelName() + " v" + card.version());
        }
        String sha = sha256(bytes);
        if (bytes.length != card.sizeBytes() || !sha.equals(card.sha256())) {
            throw new ModelRefusedException(what + ": model.onnx does not match its model card: sha256 " + sha + " ("
                    + bytes.length + " bytes), the card says " + card.sha256() + " (" + card.sizeBytes() + " bytes)");
        }
        OrtSession session;
        LoadedModel.Index index = null;
        try {
            session = sessions.create(bytes);
        } catch (OrtException | RuntimeException e) {
            throw new ModelRefusedException(what + ": ONNX Runtime cannot load model.onnx: " + e.getMessage(), e);
        }
        try {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            checkContract(what, session, card);
            checkMetadata(what, metadata, card);
            OrtRunner runner = new OrtRunner(sessions.env(), session, card.channels(), card.height(), card.width());
            int embeddingDim = smoke(what, runner, card);
            index = loadIndex(what, version, card, embeddingDim);
            Validated validated = new Validated(version, card, sha, embeddingDim, runner);
            DynamicBatcher batcher = batcherFor.apply(validated);
            return new LoadedModel(version.name(), version.version(), sha, card.channels(), card.height(), card.width(),
                    card.labels(), embeddingDim, metadata, session, batcher, index);
        } catch (ModelRefusedException e) {
            closeQuietly(session, index);
            throw e;
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, index);
            throw new ModelRefusedException(what + ": " + e.getMessage(), e);
        }
    }

    /** The card's vector index loaded and checked against the card and the model; null when the card names none. */
    private static LoadedModel.Index loadIndex(String what, RepositoryVersion version, ModelCard card, int embeddingDim)
            throws ModelRefusedException {
        VectorIndexCard expected = card.index();
        if (expected == null) {
            return null;
        }
        long t0 = System.nanoTime();
        VectorIndex vectors;
        try {
            vectors = VectorIndex.load(version.dir().resolve(expected.file()), expected, embeddingDim);
        } catch (IOException e) {
            throw new ModelRefusedException(what + ": its vector index cannot be served: " + e.getMessage(), e);
        }
        for (int i = 0; i < vectors.count(); i++) {
            int label = vectors.entry(i).label();
            if (label >= card.labels().size()) {
                String id = vectors.entry(i).id();
                closeQuietly(vectors);
                throw new ModelRefusedException(what + ": its vector index gives sample " + id + " label " + label
                        + "; the model has " + card.labels().size() + " labels");
            }
        }
        return new LoadedModel.Index(expected, vectors, (System.nanoTime() - t0) / 1_000_000);
    }

    /** What the batcher of a validated version is built from. */
    public record Validated(RepositoryVersion version, ModelCard card, String sha256, int embeddingDim,
            DynamicBatcher.BatchRunner runner) {

        public int imageSize() {
            return card.channels() * card.height() * card.width();
        }
    }

    private static void checkContract(String what, OrtSession session, ModelCard card)
            throws OrtException, ModelRefusedException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1 || !inputs.containsKey(OnnxContract.INPUT)) {
            throw new ModelRefusedException(what + ": expected one input named '" + OnnxContract.INPUT + "', the model has "
                    + inputs.keySet());
        }
        long[] in = tensorShape(what, "input", inputs.get(OnnxContract.INPUT));
        long[] expected = {-1, card.channels(), card.height(), card.width()};
        if (in.length != 4 || in[0] != -1 || !dimsMatch(in, expected)) {
            throw new ModelRefusedException(what + ": input '" + OnnxContract.INPUT + "' has shape " + Arrays.toString(in)
                    + ", expected [N, " + card.channels() + ", " + card.height() + ", " + card.width()
                    + "] with a dynamic N (-1)");
        }
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        int k = card.labels().size();
        for (String name : OnnxContract.OUTPUTS) {
            NodeInfo info = outputs.get(name);
            if (info == null) {
                throw new ModelRefusedException(what + ": no output named '" + name + "'; the model has " + outputs.keySet());
            }
            long[] out = tensorShape(what, "output", info);
            long width = name.equals(OnnxContract.EMBEDDING) ? -1 : k;
            if (out.length != 2 || out[0] != -1 || (width != -1 && out[1] != -1 && out[1] != width)) {
                throw new ModelRefusedException(what + ": output '" + name + "' has shape " + Arrays.toString(out)
                        + ", expected [N, " + (width == -1 ? "D" : Long.toString(width)) + "]"
                        + (width == -1 ? "" : " (K = " + k + " labels)"));
            }
        }
    }

    private static long[] tensorShape(String what, String kind, NodeInfo info) throws ModelRefusedException {
        if (!(info.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
            throw new ModelRefusedException(what + ": " + kind + " '" + info.getName() + "' is " + info.getInfo()
                    + ", expected a float32 tensor");
        }
        return tensor.getShape();
    }

    private static boolean dimsMatch(long[] actual, long[] expected) {
        for (int i = 1; i < expected.length; i++) {
            if (actual[i] != -1 && actual[i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static void checkMetadata(String what, Map<String, String> metadata, ModelCard card)
            throws ModelRefusedException {
        String labels = metadata.get(OnnxContract.LABELS);
        if (labels != null) {
            List<String> parsed;
            try {
                parsed = JSON.readValue(labels, new TypeReference<List<String>>() { });
            } catch (IOException e) {
                throw new ModelRefusedException(what + ": metadata 'labels' is not a JSON list of strings: " + labels);
            }
            if (!parsed.equals(card.labels())) {
                throw new ModelRefusedException(what + ": labels in the ONNX metadata " + parsed
                        + " differ from the model card's " + card.labels());
            }
        }
        int[] geometry = {card.channels(), card.height(), card.width()};
        String[] keys = {OnnxContract.IMAGE_CHANNELS, OnnxContract.IMAGE_HEIGHT, OnnxContract.IMAGE_WIDTH};
        for (int i = 0; i < keys.length; i++) {
            String value = metadata.get(keys[i]);
            if (value != null && !value.trim().equals(Integer.toString(geometry[i]))) {
                throw new ModelRefusedException(what + ": metadata " + keys[i] + "=" + value + " differs from the model card's "
                        + geometry[i]);
            }
        }
    }

    /** Two mid-gray images; returns D. */
    private static int smoke(String what, OrtRunner runner, ModelCard card) throws OrtException, ModelRefusedException {
        int n = 2;
        int k = card.labels().size();
        float[] images = new float[n * card.channels() * card.height() * card.width()];
        Arrays.fill(images, 127.5f);
        InferenceResult r = runner.run(images, n);
        if (r.classes() != k || r.embeddingDim() < 1) {
            throw new ModelRefusedException(what + ": a smoke run gave " + r.classes() + " classes for " + k + " labels and "
                    + "embedding width " + r.embeddingDim());
        }
        for (float[] values : List.of(r.embedding(), r.logits(), r.probabilities())) {
            for (float v : values) {
                if (!Float.isFinite(v)) {
                    throw new ModelRefusedException(what + ": a smoke run gave a non-finite output (" + v + ")");
                }
            }
        }
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += r.probabilities()[i * k + j];
            }
            if (Math.abs(sum - 1) > 1e-3) {
                throw new ModelRefusedException(what + ": a smoke run gave probabilities summing to " + sum + ", not 1");
            }
        }
        return r.embeddingDim();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void closeQuietly(OrtSession session, LoadedModel.Index index) {
        try {
            session.close();
        } catch (OrtException e) {
            // refused anyway; the message of the refusal is what matters
        }
        if (index != null) {
            closeQuietly(index.vectors());
        }
    }

    private static void closeQuietly(VectorIndex vectors) {
        try {
            vectors.close();
        } catch (IOException e) {
            // refused anyway; the message of the refusal is what matters
        }
    }
}
