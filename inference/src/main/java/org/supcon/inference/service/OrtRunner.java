package org.supcon.inference.service;

import static org.supcon.common.model.OnnxContract.EMBEDDING;
import static org.supcon.common.model.OnnxContract.INPUT;
import static org.supcon.common.model.OnnxContract.LOGITS;
import static org.supcon.common.model.OnnxContract.PROBABILITIES;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.supcon.inference.model.InferenceResult;

/** Runs images through a session of the contract model and reads its three outputs. */
final class OrtRunner implements DynamicBatcher.BatchRunner {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final long channels;
    private final long height;
    private final long width;

    OrtRunner(OrtEnvironment env, OrtSession session, int channels, int height, int width) {
        this.env = env;
        this.session = session;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    @Override
    public InferenceResult run(float[] images, int n) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {n, channels, height, width});
                OrtSession.Result result = session.run(Map.of(INPUT, input))) {
            float[] embedding = read(result, EMBEDDING, n);
            float[] logits = read(result, LOGITS, n);
            float[] probabilities = read(result, PROBABILITIES, n);
            return new InferenceResult(n, embedding.length / n, logits.length / n, embedding, logits, probabilities);
        }
    }

    private static float[] read(OrtSession.Result result, String name, int n) throws OrtException {
        OnnxValue value = result.get(name).orElseThrow(() -> new OrtException("the model has no output " + name));
        if (!(value instanceof OnnxTensor tensor)) {
            throw new OrtException("output " + name + " is not a tensor");
        }
        long[] shape = tensor.getInfo().getShape();
        if (shape.length != 2 || shape[0] != n) {
            throw new OrtException("output " + name + " has shape " + java.util.Arrays.toString(shape) + ", expected [" + n + ", _]");
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
