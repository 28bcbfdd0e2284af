package org.supcon.inference.service;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import org.jboss.logging.Logger;
import org.supcon.inference.config.InferenceConfig.Device;

/**
 * Creates ONNX Runtime sessions on the execution provider chosen once at start:
 * {@code cuda} requires the CUDA provider (the {@code onnxruntime_gpu} artifact, Maven profile
 * {@code -Pcuda}, and a usable GPU) and fails otherwise; {@code auto} uses it when it is there and
 * falls back to CPU saying why; {@code cpu} never tries. The reason names the library at fault:
 * the CUDA provider library absent from the jar (a build without {@code -Pcuda}), or the CUDA
 * library it needs that the system loader cannot find ({@code libcublasLt.so.12}, ...).
 */
public final class SessionFactory {

    private static final Logger LOG = Logger.getLogger(SessionFactory.class);
    /** The CUDA provider library of the onnxruntime_gpu jar, which ONNX Runtime extracts and dlopens. */
    static final String CUDA_PROVIDER_LIBRARY = System.mapLibraryName("onnxruntime_providers_cuda");

    private final OrtEnvironment env;
    private final OptionalInt intraOpThreads;
    private final boolean spinning;
    private final Device device;
    private volatile boolean cuda;
    private volatile String cpuReason;

    /**
     * @param spinning whether ONNX Runtime's intra-op threads spin while waiting for work (its
     *        default; {@code session.intra_op.allow_spinning})
     * @throws IllegalStateException if {@code device} is {@code cuda} and CUDA cannot be used
     */
    public SessionFactory(Device device, OptionalInt intraOpThreads, boolean spinning) {
        this.env = OrtEnvironment.getEnvironment();
        this.device = device;
        this.intraOpThreads = intraOpThreads;
        this.spinning = spinning;
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        String problem = device == Device.CPU ? null : cudaProblem(available);
        if (device == Device.CUDA && problem != null) {
            throw new IllegalStateException("inference.device=cuda but " + problem
                    + "; use inference.device=auto or cpu to run on the CPU");
        }
        this.cuda = device != Device.CPU && problem == null;
        this.cpuReason = problem;
        if (device == Device.AUTO && problem != null) {
            LOG.infof("inference.device=auto: %s; running on the CPU", problem);
        }
        LOG.infof("ONNX Runtime %s, execution provider %s, intra-op threads %s%s (available providers: %s)",
                env.getVersion(), providerName(), intraOpThreads.isPresent() ? intraOpThreads.getAsInt() : "default",
                spinning ? "" : " (not spinning)", available);
    }

    /**
     * Why {@code auto} runs on the CPU (the same text {@code cuda} fails with); empty on CUDA and
     * under {@code cpu}.
     */
    public Optional<String> cpuReason() {
        return Optional.ofNullable(cpuReason);
    }

    /** {@code CUDA} or {@code CPU}. */
    public String providerName() {
        return cuda ? "CUDA" : "CPU";
    }

    public OrtEnvironment env() {
        return env;
    }

    /**
     * A session on the chosen provider, graph optimisations on. Under {@code auto}, a CUDA session
     * that cannot be created (no device, missing CUDA libraries) switches this factory to the CPU
     * for good, saying so once.
     */
    public OrtSession create(byte[] model) throws OrtException {
        if (!cuda) {
            return create(model, false);
        }
        try {
            return create(model, true);
        } catch (OrtException e) {
            if (device == Device.CUDA) {
                throw e;
            }
            // the CPU decides whether the model or CUDA is at fault: a broken model fails there too
            OrtSession onCpu = create(model, false);
            cuda = false;
            cpuReason = "a CUDA session failed where the CPU works (" + e.getMessage() + ")";
            LOG.warnf("inference.device=auto: %s; running on the CPU from now on", cpuReason);
            return onCpu;
        }
    }

    private OrtSession create(byte[] model, boolean onCuda) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads.isPresent()) {
                options.setIntraOpNumThreads(intraOpThreads.getAsInt());
            }
            if (!spinning) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            if (onCuda) {
                options.addCUDA(0);
            }
            return env.createSession(model, options);
        }
    }

    private static String cudaProblem(EnumSet<OrtProvider> available) {
        if (!available.contains(OrtProvider.CUDA)) {
            return "this ONNX Runtime build has no CUDA provider: the " + CUDA_PROVIDER_LIBRARY
                    + " of onnxruntime_gpu is not in it (built without -Pcuda; build with -Pcuda)";
        }
        // the provider is compiled in; whether the CUDA libraries load shows when it is added
        try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
            probe.addCUDA(0);
            return null;
        } catch (OrtException | RuntimeException | LinkageError e) {
            String ort = "ONNX Runtime: " + e.getMessage();
            return "the CUDA provider cannot be used: " + loadError().map(l -> l + " (" + ort + ")").orElse(ort);
        }
    }

    /**
     * The system loader's error for the CUDA provider library ONNX Runtime extracted, which names
     * the CUDA library it lacks: ONNX Runtime's exception says only "Failed to load shared
     * library" (the name goes to its native log on stderr). Empty when the library loads or cannot
     * be found.
     */
    private static Optional<String> loadError() {
        Optional<Path> lib = extractedCudaProvider();
        if (lib.isEmpty()) {
            return Optional.empty();
        }
        try {
            System.load(lib.get().toString());
            return Optional.empty();
        } catch (UnsatisfiedLinkError e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Where ONNX Runtime put the CUDA provider library: the {@code onnxruntime.native.path}
     * directory when set, else the directory it extracted its libraries to (the private
     * {@code OnnxRuntime.tempDirectory}; reflect-config.json registers it for the native image).
     */
    private static Optional<Path> extractedCudaProvider() {
        String dir = System.getProperty("onnxruntime.native.path");
        try {
            if (dir == null) {
                java.lang.reflect.Field temp = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
                temp.setAccessible(true);
                Object path = temp.get(null);
                dir = path == null ? null : path.toString();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("ONNX Runtime's extraction directory is not readable: %s", e);
        }
        return Optional.ofNullable(dir).map(d -> Path.of(d, CUDA_PROVIDER_LIBRARY)).filter(Files::isRegularFile);
    }
}
