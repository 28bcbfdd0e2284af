package org.supcon.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The state needed to continue a run after the process dies: every parameter of the network
 * (BatchNorm running statistics included), the optimizer's momentum buffers, the number of
 * completed epochs and the per-epoch history. One file, written to a temporary name, forced to
 * disk and renamed over the previous one, so a kill at any moment leaves either the old or the
 * new checkpoint, never a torn one.
 *
 * <p>Layout: magic {@code SUPCONCK1}, then three length-prefixed sections: state JSON,
 * parameters (DJL NDList encoding), momentum buffers (NDList); a run with more training state (the
 * momentum encoder and queue, {@link Extra}) adds a fourth section (NDList).
 */
public final class Checkpoint {

    private static final byte[] MAGIC = "SUPCONCK1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Training state beyond the network and the optimizer, kept in the checkpoint's fourth section. */
    public interface Extra {
        /** The state as arrays owned by {@code into}. */
        NDList save(NDManager into);

        /** Restores what {@link #save} gave. */
        void load(NDList saved) throws IOException;
    }

    /** What a checkpoint says about the run besides its tensors. */
    public record State(int completedEpochs, long globalStep, Map<String, Object> settings, List<EpochStats> history) {}

    private final Path file;

    public Checkpoint(Path directory) {
        this.file = directory.resolve("last.ckpt");
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.isRegularFile(file);
    }

    /** Writes the checkpoint atomically. */
    public void save(State state, Block net, SgdMomentum optimizer, NDManager manager) throws IOException {
        save(state, net, optimizer, manager, null);
    }

    /** Writes the checkpoint atomically, with {@code extra}'s state when not null. */
    public void save(State state, Block net, SgdMomentum optimizer, NDManager manager, Extra extra) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (NDManager scratch = manager.newSubManager()) {
            NDList params = new NDList();
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray a = p.getValue().getArray().duplicate();
                a.attach(scratch);
                params.add(a);
            }
            NDList momentum = optimizer.state(scratch);
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))) {
                out.write(MAGIC);
                writeSection(out, JSON.writeValueAsBytes(state));
                writeSection(out, params.encode());
                writeSection(out, momentum.encode());
                if (extra != null) {
                    writeSection(out, extra.save(scratch).encode());
                }
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The checkpoint's state alone (settings, epochs, history), read before any tensor is loaded. */
    public State state() throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a supcon checkpoint (bad magic)");
            }
            return JSON.readValue(readSection(in), State.class);
        }
    }

    /**
     * Loads the checkpoint into {@code net} and {@code optimizer} (both built and initialized with
     * the same architecture) and returns its state.
     */
    public State load(Block net, SgdMomentum optimizer, NDManager manager) throws IOException {
        return load(net, optimizer, manager, null);
    }

    /** {@link #load(Block, SgdMomentum, NDManager)}, and {@code extra}'s state when not null (it must be there). */
    public State load(Block net, SgdMomentum optimizer, NDManager manager, Extra extra) throws IOException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw);
                NDManager scratch = manager.newSubManager()) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a supcon checkpoint (bad magic)");
            }
            State state = JSON.readValue(readSection(in), State.class);
            NDList params = NDList.decode(scratch, readSection(in));
            NDList momentum = NDList.decode(scratch, readSection(in));
            List<Parameter> targets = new ArrayList<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                targets.add(p.getValue());
            }
            if (targets.size() != params.size()) {
                throw new IOException(file + " holds " + params.size() + " parameters, the model has " + targets.size());
            }
            for (int i = 0; i < targets.size(); i++) {
                NDArray target = targets.get(i).getArray();
                NDArray source = params.get(i);
                if (!target.getShape().equals(source.getShape())) {
                    throw new IOException(file + ": parameter " + i + " has shape " + source.getShape()
                            + ", the model expects " + target.getShape());
                }
                source.copyTo(target);
            }
            optimizer.load(momentum);
            if (extra != null) {
                byte[] section;
                try {
                    section = readSection(in);
                } catch (java.io.EOFException e) {
                    throw new IOException(file + " has no momentum encoder and queue state", e);
                }
                extra.load(NDList.decode(scratch, section));
            }
            return state;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("corrupt checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeSection(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeLong(bytes.length);
        out.write(bytes);
    }

    private byte[] readSection(DataInputStream in) throws IOException {
        long n = in.readLong();
        if (n < 0 || n > Integer.MAX_VALUE - 16) {
            throw new IOException(file + ": bad section length " + n);
        }
        byte[] b = in.readNBytes((int) n);
        if (b.length != n) {
            throw new IOException(file + " is truncated");
        }
        return b;
    }

}
