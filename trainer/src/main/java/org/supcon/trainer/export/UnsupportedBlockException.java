package org.supcon.trainer.export;

/**
 * Thrown when the exporter meets a block it cannot translate to ONNX, e.g. a {@code LambdaBlock},
 * whose function is opaque.
 */
public final class UnsupportedBlockException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String blockClass;
    private final String path;

    /**
     * Creates the exception.
     *
     * @param blockClass the simple class name of the block
     * @param path the block's position in the tree, e.g. {@code encoder/05LambdaBlock}
     * @param supported the block types the exporter knows
     */
    public UnsupportedBlockException(String blockClass, String path, String supported) {
        super("cannot export block " + blockClass + " at " + path + ": supported are " + supported);
        this.blockClass = blockClass;
        this.path = path;
    }

    /**
     * The refused block's class.
     *
     * @return the simple class name
     */
    public String blockClass() {
        return blockClass;
    }

    /**
     * Where the refused block sits.
     *
     * @return the path of DJL child names from the network root
     */
    public String path() {
        return path;
    }
}
