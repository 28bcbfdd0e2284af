package org.supcon.inference.service;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.OptionalInt;
import org.jboss.logging.Logger;
import org.supcon.inference.config.InferenceConfig.Device;

/**
 * Creates ONNX Runtime sessions on the execution provider chosen once at start:
 * {@code cuda} requires the CUDA provider (the {@code onnxruntime_gpu} artifact, Maven profile
 * {@code -Pcuda}, and a usable GPU) and fails otherwise; {@code auto} uses it when it is there and
 * falls back to CPU saying why; {@code cpu} never tries.
 */
public final class SessionFactory {

    private static final Logger LOG = Logger.getLogger(SessionFactory.class);

    private final OrtEnvironment env;
    private final OptionalInt intraOpThreads;
    private final boolean spinning;
    private final Device device;
    private volatile boolean cuda;

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
        if (device == Device.AUTO && problem != null) {
            LOG.infof("inference.device=auto: %s, running on the CPU", problem);
        }
        LOG.infof("ONNX Runtime %s, execution provider %s, intra-op threads %s%s (available providers: %s)",
                env.getVersion(), providerName(), intraOpThreads.isPresent() ? intraOpThreads.getAsInt() : "default",
                spinning ? "" : " (not spinning)", available);
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
            LOG.warnf("inference.device=auto: a CUDA session failed where the CPU works (%s); running on the CPU from now on",
                    e.getMessage());
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
            return "this ONNX Runtime build has no CUDA provider (build with -Pcuda for onnxruntime_gpu)";
        }
        // the provider is compiled in; whether a GPU and the CUDA libraries are there shows when it is added
        try (OrtSession.SessionOptions probe = new OrtSession.SessionOptions()) {
            probe.addCUDA(0);
            return null;
        } catch (OrtException | RuntimeException | LinkageError e) {
            return "the CUDA provider cannot be used (" + e.getMessage() + ")";
        }
    }
}
