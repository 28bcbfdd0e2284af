package org.supcon.trainer.pipeline;

/** A run was asked for while another one of the same model is active (409 over REST). */
public final class RunConflictException extends IllegalStateException {

    private final String activeId;

    public RunConflictException(String modelName, String activeId, RunState activeState) {
        super("training run " + activeId + " of model " + modelName + " is " + activeState
                + "; one run at a time per model (cancel it with DELETE /training-runs/" + activeId + ")");
        this.activeId = activeId;
    }

    public String activeId() {
        return activeId;
    }
}
