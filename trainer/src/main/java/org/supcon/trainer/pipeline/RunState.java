package org.supcon.trainer.pipeline;

/**
 * Where a training run is. QUEUED and RUNNING are active (one per model at a time) and resumed
 * after a restart; the others are final. A run the gate refused ends SUCCEEDED with
 * {@code published=false} and the gate's reason: it trained and evaluated fine, the model just
 * was not better.
 */
public enum RunState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean active() {
        return this == QUEUED || this == RUNNING;
    }
}
