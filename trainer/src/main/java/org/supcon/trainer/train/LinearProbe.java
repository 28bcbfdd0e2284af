package org.supcon.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.supcon.trainer.loss.CrossEntropyLoss;

/**
 * The linear evaluation stage: a linear classifier trained with cross-entropy on features of a
 * frozen encoder.
 *
 * <p>Features are computed once (no augmentation), standardized per dimension for a well
 * conditioned SGD problem, and the standardization is folded back into the returned weights
 * ({@code W' = W / sigma}, {@code b' = b - W' mu}), so the classifier applies to raw encoder
 * features, which is what the exported model computes.
 */
public final class LinearProbe {

    /** Settings of the linear stage. */
    public record Settings(int epochs, int batchSize, double learningRate, double momentum, double weightDecay, long seed) {}

    private LinearProbe() {}

    public static LinearClassifier train(NDManager parent, Features train, int classes, Settings s) {
        int n = train.rows();
        int d = train.dim();
        if (n == 0) {
            throw new IllegalArgumentException("linear probe: no training features");
        }
        double[] mean = new double[d];
        double[] std = new double[d];
        float[] v = train.values();
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                mean[c] += v[r * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                double x = v[r * d + c] - mean[c];
                std[c] += x * x;
            }
        }
        for (int c = 0; c < d; c++) {
            std[c] = Math.sqrt(std[c] / n) + 1e-6;
        }
        float[] z = new float[v.length];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < d; c++) {
                z[r * d + c] = (float) ((v[r * d + c] - mean[c]) / std[c]);
            }
        }

        CrossEntropyLoss loss = new CrossEntropyLoss();
        int batch = Math.min(s.batchSize(), n);
        int steps = Math.max(1, n / batch);
        LearningRateSchedule schedule = LearningRateSchedule.of(s.learningRate(), 0, s.epochs(), steps);
        SplittableRandom rng = new SplittableRandom(s.seed() ^ 0x5DEECE66DL);
        float[] w;
        float[] b;
        try (NDManager m = parent.newSubManager()) {
            NDArray all = m.create(z, new Shape(n, d));
            NDArray labels = m.create(train.labels());
            NDArray weight = m.zeros(new Shape(classes, d));
            NDArray bias = m.zeros(new Shape(classes));
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            NDArray vw = m.zeros(new Shape(classes, d));
            NDArray vb = m.zeros(new Shape(classes));
            long step = 0;
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int epoch = 0; epoch < s.epochs(); epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int st = 0; st < steps; st++) {
                    double lr = schedule.at(step++);
                    try (NDManager bm = m.newSubManager()) {
                        long[] idx = new long[batch];
                        for (int i = 0; i < batch; i++) {
                            idx[i] = order[st * batch + i];
                        }
                        NDArray index = bm.create(idx);
                        NDArray x = all.get(index);
                        NDArray y = labels.get(index);
                        x.attach(bm);
                        y.attach(bm);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = x.matMul(weight.transpose()).add(bias);
                            NDArray l = loss.evaluate(new NDList(y), new NDList(logits));
                            gc.backward(l);
                        }
                        sgd(bm, weight, vw, lr, s);
                        sgd(bm, bias, vb, lr, s);
                    }
                }
            }
            w = weight.toFloatArray();
            b = bias.toFloatArray();
        }
        // fold the standardization into the weights
        float[] wf = new float[w.length];
        float[] bf = new float[classes];
        for (int k = 0; k < classes; k++) {
            double bias = b[k];
            for (int c = 0; c < d; c++) {
                double wc = w[k * d + c] / std[c];
                wf[k * d + c] = (float) wc;
                bias -= wc * mean[c];
            }
            bf[k] = (float) bias;
        }
        return new LinearClassifier(wf, bf, classes, d);
    }

    private static void sgd(NDManager scratch, NDArray w, NDArray buf, double lr, Settings s) {
        NDArray g = w.getGradient();
        g.attach(scratch);
        NDArray d = w.mul((float) s.weightDecay());
        d.attach(scratch);
        d.addi(g);
        buf.muli((float) s.momentum()).addi(d);
        NDArray u = buf.mul((float) lr);
        u.attach(scratch);
        w.subi(u);
        g.subi(g);
    }
}
