package org.supcon.inference.service;

/** Told about every batch the {@link DynamicBatcher} runs (metrics). Called on a runner thread; must be quick. */
public interface BatchListener {

    BatchListener NONE = (images, requests, queueNanos) -> { };

    /**
     * @param images images in the batch (the ONNX Runtime N)
     * @param requests caller requests merged into it
     * @param queueNanos per request, how long it waited in the queue before its batch started
     */
    void batchStarted(int images, int requests, long[] queueNanos);
}
