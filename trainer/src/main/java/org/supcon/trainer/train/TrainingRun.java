package org.supcon.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import org.supcon.trainer.augment.AugmentSettings;
import org.supcon.trainer.augment.Augmenter;
import org.supcon.trainer.augment.BatchLoader;
import org.supcon.trainer.augment.ViewBatch;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.model.L2Normalize;
import org.supcon.trainer.model.SupConNet;
import org.supcon.trainer.settings.RunSettings;

/**
 * One training run: the first stage (SupCon, SimCLR or the cross-entropy baseline, all with
 * the same encoder, augmentation and budget), then for contrastive methods the linear stage on
 * the frozen encoder, then the final test evaluation.
 *
 * <p>Deterministic on CPU for a fixed seed: weights come from the engine's seeded generator,
 * batch order and augmentation from seeds derived from (seed, epoch, batch). A checkpoint is
 * written after every epoch; a run started again over the same output directory continues
 * from it with identical results.
 */
public final class TrainingRun {

    /**
     * The images of one run.
     *
     * @param dataset the source's name ({@code fashion-mnist}, a folder, {@code dataset-cache}); a
     *     checkpoint resumes only over the same one
     * @param description a line on the source for the summary and the provenance
     */
    public record Data(ImageSet train, ImageSet validation, ImageSet test, String dataset, String description) {
        public Data {
            Objects.requireNonNull(train, "train");
            if (!train.geometry().equals(test.geometry()) || !train.labelNames().equals(test.labelNames())) {
                throw new IllegalArgumentException("train and test sets differ in geometry or labels");
            }
        }
    }

    /**
     * The trained model and what the run measured: the network (encoder + head or classifier)
     * and, after the linear stage, its classifier.
     */
    public record Trained(SupConNet net, LinearClassifier classifier, TrainResult result) {}

    private static final int EVAL_BATCH = 500;
    private static final int KNN_REFERENCE = 5000;
    private static final int KNN_QUERIES = 2000;

    private final RunSettings settings;
    private final Data data;
    private final Path output;
    private final ProgressListener listener;
    private int stopAfterEpochs = Integer.MAX_VALUE;
    private java.util.function.BooleanSupplier stopRequested = () -> false;

    /** A run of {@code settings} over {@code data}, keeping its checkpoint in {@code output/checkpoint}. */
    public TrainingRun(RunSettings settings, Data data, Path output, ProgressListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.data = Objects.requireNonNull(data, "data");
        this.output = Objects.requireNonNull(output, "output");
        this.listener = listener == null ? ProgressListener.NONE : listener;
    }

    /**
     * Makes this process stop (as if killed) after the given number of completed epochs, checkpoint
     * written; used to show that a resumed run equals an uninterrupted one.
     */
    public TrainingRun stopAfterEpochs(int epochs) {
        this.stopAfterEpochs = epochs;
        return this;
    }

    /**
     * Cooperative cancellation: {@code stop} is asked before every training step and before each
     * stage after the first; when it answers true the run ends with a {@link RunStoppedException}
     * at that point. The checkpoint of the last completed epoch stays, so a stopped run can be
     * resumed over the same output directory.
     */
    public TrainingRun stopWhen(java.util.function.BooleanSupplier stop) {
        this.stopRequested = Objects.requireNonNull(stop, "stop");
        return this;
    }

    /** Thrown by {@link #run} when the {@link #stopWhen} condition became true. */
    public static final class RunStoppedException extends RuntimeException {
        public RunStoppedException(String message) {
            super(message);
        }
    }

    private void checkStop(String where) {
        if (stopRequested.getAsBoolean()) {
            throw new RunStoppedException("stopped " + where);
        }
    }

    /**
     * Runs both stages and returns the trained model with its result; null when
     * {@link #stopAfterEpochs} ended it early on purpose (the checkpoint holds the state).
     */
    public Trained run(NDManager manager) throws IOException {
        long wallStart = System.nanoTime();
        RunSettings s = settings;
        ImageGeometry g = data.train().geometry();
        int classes = data.train().numClasses();
        Engine.getInstance().setRandomSeed((int) s.seed());
        // PyTorch's grad mode is per thread and on by default; DJL turns it off only on the thread
        // that loaded the engine. A run on any other thread (the service's worker) must do it
        // itself, or the optimizer's in-place update of a leaf parameter fails.
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        }

        SupConNet net = s.contrastive()
                ? SupConNet.forContrastive(s.encoder(), g.channels(), s.head(), s.projectionDim())
                : SupConNet.forCrossEntropy(s.encoder(), g.channels(), classes);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, g.channels(), g.height(), g.width()));
        long parameterCount = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                parameterCount += p.getValue().getArray().size();
            }
        }
        ParameterStore ps = new ParameterStore(manager, false);
        SgdMomentum optimizer = new SgdMomentum(manager, net, s.momentum(), s.weightDecay());
        Loss loss = s.method().newLoss(s.temperature(), s.baseTemperature());
        Shape inputShape = new Shape(1, g.channels(), g.height(), g.width());
        try (MomentumQueue queue = s.queueSize() == 0 ? null : new MomentumQueue(net,
                SupConNet.forContrastive(s.encoder(), g.channels(), s.head(), s.projectionDim()), s.queueSize(),
                s.queueMomentum(), s.projectionDim(), manager, inputShape)) {
            return run(manager, net, ps, optimizer, loss, queue, parameterCount, wallStart);
        }
    }

    private Trained run(NDManager manager, SupConNet net, ParameterStore ps, SgdMomentum optimizer, Loss loss,
            MomentumQueue queue, long parameterCount, long wallStart) throws IOException {
        RunSettings s = settings;
        ImageGeometry g = data.train().geometry();
        int classes = data.train().numClasses();

        int n = data.train().size();
        int batch = Math.min(s.batchSize(), n);
        int stepsPerEpoch = n / batch;
        LearningRateSchedule schedule = LearningRateSchedule.of(s.learningRate(), s.warmupEpochs(), s.epochs(), stepsPerEpoch);
        AugmentSettings aug = AugmentSettings.supconDefaults().withMinScale(s.minCropScale());
        Augmenter augmenter = new Augmenter(aug);

        Checkpoint checkpoint = new Checkpoint(output.resolve("checkpoint"));
        Map<String, Object> identity = s.weightsIdentity(data.dataset());
        List<EpochStats> history = new ArrayList<>();
        int startEpoch = 0;
        long step = 0;
        if (checkpoint.exists()) {
            Map<String, Object> now = jsonRoundTrip(identity);
            Map<String, Object> then = checkpoint.state().settings();
            if (!now.equals(then)) {
                throw new IllegalStateException("the checkpoint in " + checkpoint.file() + " was written with other settings ("
                        + difference(then, now) + "); use another --output or delete it");
            }
            Checkpoint.State state = checkpoint.load(net, optimizer, manager, queue);
            startEpoch = state.completedEpochs();
            step = state.globalStep();
            history.addAll(state.history());
            listener.onResumed(startEpoch, s.epochs(), checkpoint.file());
        }

        long trainNanos = 0;
        long waitNanos = 0;
        List<Double> throughputs = new ArrayList<>();
        int views = s.views();
        for (int epoch = startEpoch; epoch < s.epochs() && epoch - startEpoch < stopAfterEpochs; epoch++) {
            long epochStart = System.nanoTime();
            double lossSum = 0;
            double lr = 0;
            long epochWait;
            try (BatchLoader loader = BatchLoader.builder().setImageSet(data.train()).setBatchSize(batch)
                    .optViews(views).optAugmenter(augmenter).optSeed(s.seed()).optEpoch(epoch)
                    .optShuffle(true).optDropLast(true).optWorkers(s.loaderWorkers()).optPrefetch(4).build()) {
                int i = 0;
                while (loader.hasNext()) {
                    checkStop("at epoch " + (epoch + 1) + " step " + (i + 1));
                    ViewBatch vb = loader.next();
                    lr = schedule.at(step);
                    try (NDManager bm = manager.newSubManager()) {
                        NDArray x = bm.create(vb.data(), new Shape((long) views * batch, g.channels(), g.height(), g.width()));
                        NDArray y = bm.create(vb.labels());
                        // the momentum encoder's keys, outside the gradient's scope
                        NDArray keys = queue == null ? null : queue.keys(ps, x);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray out = net.forward(ps, new NDList(x), true).singletonOrThrow();
                            // rows are view-major: [views * batch, d] -> [batch, views, d]
                            NDArray byImage = out.reshape(views, batch, -1).transpose(1, 0, 2);
                            NDList[] in = queue == null ? new NDList[] {new NDList(y), new NDList(byImage)}
                                    : queue.lossInputs(byImage, y, bm);
                            NDArray l = loss.evaluate(in[0], in[1]);
                            gc.backward(l);
                            float value = l.getFloat();
                            if (!Float.isFinite(value)) {
                                throw new IllegalStateException("loss is " + value + " at epoch " + (epoch + 1) + " step " + (i + 1)
                                        + " (learning rate " + lr + "); lower the learning rate");
                            }
                            lossSum += value;
                        }
                        optimizer.step(lr);
                        if (queue != null) {
                            queue.afterStep(net, keys, y, views);
                        }
                    }
                    step++;
                    i++;
                    double elapsed = (System.nanoTime() - epochStart) / 1e9;
                    double ips = (double) i * batch / elapsed;
                    double eta = ((double) (s.epochs() - epoch) * stepsPerEpoch - i) * batch / ips;
                    listener.onStep(new ProgressListener.Step(epoch + 1, s.epochs(), i, stepsPerEpoch, value(lossSum, i), lr, ips, eta));
                }
                epochWait = loader.waitNanos();
            }
            long trainEnd = System.nanoTime();
            double epochTrainSeconds = (trainEnd - epochStart) / 1e9;
            trainNanos += trainEnd - epochStart;
            waitNanos += epochWait;
            double ips = stepsPerEpoch * (double) batch / epochTrainSeconds;
            throughputs.add(ips);
            double valAcc = Double.NaN;
            boolean last = epoch == s.epochs() - 1;
            if (s.evalEvery() > 0 && ((epoch + 1) % s.evalEvery() == 0 || last) && data.validation().size() > 0) {
                valAcc = quickValidation(net, ps, manager, classes);
            }
            EpochStats stats = new EpochStats(epoch + 1, lossSum / stepsPerEpoch, lr, ips,
                    epochWait / 1e9 / epochTrainSeconds, valAcc, (System.nanoTime() - epochStart) / 1e9);
            history.add(stats);
            checkpoint.save(new Checkpoint.State(epoch + 1, step, identity, history), net, optimizer, manager, queue);
            listener.onEpoch(stats, s.epochs());
        }
        if (history.size() < s.epochs()) {
            return null; // stopped early on purpose (stopAfterEpochs); the checkpoint holds the state
        }

        checkStop("before the linear stage");
        long linearStart = System.nanoTime();
        LinearClassifier classifier = null;
        Features testOut;
        Features valOut;
        if (s.contrastive()) {
            listener.onLinearProbe(n);
            Features trainFeatures = encode(net, ps, manager, data.train(), true);
            classifier = LinearProbe.train(manager, trainFeatures, classes, new LinearProbe.Settings(
                    s.linearEpochs(), 256, s.linearLearningRate(), 0.9, 1e-4, s.seed()));
            checkStop("before the final evaluation");
            listener.onEvaluation(data.test().size());
            testOut = classifier.apply(encode(net, ps, manager, data.test(), true));
            valOut = data.validation().size() > 0 ? classifier.apply(encode(net, ps, manager, data.validation(), true)) : null;
        } else {
            listener.onEvaluation(data.test().size());
            testOut = encode(net, ps, manager, data.test(), false);
            valOut = data.validation().size() > 0 ? encode(net, ps, manager, data.validation(), false) : null;
        }
        double linearSeconds = (System.nanoTime() - linearStart) / 1e9;
        int[] predicted = testOut.argmax();
        return new Trained(net, classifier, new TrainResult(
                s.method().cliName(), s.encoder().cliName(), s.epochs(),
                testOut.accuracy(), valOut == null ? Double.NaN : valOut.accuracy(),
                median(throughputs), trainNanos == 0 ? 0 : (double) waitNanos / trainNanos,
                (System.nanoTime() - wallStart) / 1e9, trainNanos / 1e9, linearSeconds,
                n, data.validation().size(), data.test().size(), startEpoch, parameterCount,
                data.train().labelNames(), Metrics.confusion(predicted, testOut.labels(), classes),
                history, s.asMap(), environment(manager.getDevice())));
    }

    /** kNN accuracy of encoder features (contrastive) or the classifier's accuracy (ce) on the validation split. */
    private double quickValidation(SupConNet net, ParameterStore ps, NDManager manager, int classes) {
        ImageSet val = data.validation().head(Math.min(KNN_QUERIES, data.validation().size()));
        if (!settings.contrastive()) {
            return encode(net, ps, manager, val, false).accuracy();
        }
        Features ref = encode(net, ps, manager, data.train().head(Math.min(KNN_REFERENCE, data.train().size())), true);
        return Metrics.knnAccuracy(ref, encode(net, ps, manager, val, true), 20, classes);
    }

    /**
     * Runs the network in inference mode (BatchNorm running statistics) over a set, without
     * augmentation: encoder features when {@code encoderOnly}, else the network's output.
     */
    public static Features encode(SupConNet net, ParameterStore ps, NDManager manager, ImageSet set, boolean encoderOnly) {
        return forward(manager, set, x -> encoderOnly ? net.embed(ps, x, false)
                : net.forward(ps, new NDList(x), false).singletonOrThrow(), done -> {});
    }

    /**
     * The exported model's {@code embedding} output, computed by DJL: the encoder's features in
     * inference mode scaled to unit length by {@link L2Normalize} ({@code r / max(||r||, 1e-12)}),
     * which is what the ONNX graph's {@code embedding/ReduceL2, Max, Div} nodes compute. A vector
     * index built from these answers queries with the served model's embeddings.
     *
     * @param progress told the number of images done after each batch
     */
    public static Features embeddings(SupConNet net, ParameterStore ps, NDManager manager, ImageSet set,
            IntConsumer progress) {
        L2Normalize unit = new L2Normalize();
        return forward(manager, set, x -> unit.forward(ps, new NDList(net.embed(ps, x, false)), false).singletonOrThrow(),
                progress);
    }

    private static Features forward(NDManager manager, ImageSet set, UnaryOperator<NDArray> network, IntConsumer progress) {
        ImageGeometry g = set.geometry();
        int rows = set.size();
        float[] values = new float[0];
        int dim = 0;
        int done = 0;
        try (BatchLoader loader = BatchLoader.builder().setImageSet(set)
                .setBatchSize(Math.max(1, Math.min(EVAL_BATCH, set.size()))).optViews(1)
                .optShuffle(false).optDropLast(false).optWorkers(1).optPrefetch(2).build()) {
            while (loader.hasNext()) {
                ViewBatch vb = loader.next();
                try (NDManager bm = manager.newSubManager()) {
                    NDArray x = bm.create(vb.data(), new Shape(vb.batchSize(), g.channels(), g.height(), g.width()));
                    NDArray out = network.apply(x);
                    if (done == 0) {
                        dim = (int) out.getShape().get(1);
                        values = new float[Math.multiplyExact(rows, dim)];
                    }
                    float[] chunk = out.toFloatArray();
                    System.arraycopy(chunk, 0, values, done * dim, chunk.length);
                }
                done += vb.batchSize();
                progress.accept(done);
            }
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = set.label(i);
        }
        return new Features(values, rows, dim, labels);
    }

    private static double value(double sum, int count) {
        return count == 0 ? Double.NaN : sum / count;
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(xs);
        sorted.sort(Double::compare);
        int m = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
    }

    /** {@link #environment()} with the device the run actually used (the service may choose the CPU on a GPU machine). */
    static Map<String, String> environment(ai.djl.Device device) {
        Map<String, String> env = environment();
        env.put("device", device.toString());
        return env;
    }

    /** Versions and machine facts that belong in a result's provenance. */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        Engine e = Engine.getInstance();
        env.put("djl", Engine.getDjlVersion());
        env.put("engine", e.getEngineName() + " " + e.getVersion());
        env.put("device", e.defaultDevice().toString());
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        env.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("mallocMmapMax", String.valueOf(System.getenv("MALLOC_MMAP_MAX_")));
        return env;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonRoundTrip(Map<String, Object> m) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
            return om.readValue(om.writeValueAsBytes(m), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String difference(Map<String, Object> before, Map<String, Object> now) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : now.entrySet()) {
            Object old = before.get(e.getKey());
            if (!Objects.equals(old, e.getValue())) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(e.getKey()).append(": ").append(old).append(" -> ").append(e.getValue());
            }
        }
        return sb.toString();
    }
}
