package org.supcon.trainer.pipeline;

import ai.djl.Device;

/** Which DJL device training runs on, from {@code trainer.device} and the GPUs DJL found. */
public final class DeviceChoice {

    /** The setting: {@code auto} takes a GPU when there is one. */
    public enum Setting {
        AUTO, CPU, GPU
    }

    private DeviceChoice() {}

    /**
     * @param gpuCount {@code Engine.getInstance().getGpuCount()}
     * @throws IllegalStateException for {@code gpu} when there is none, naming the likely cause
     */
    public static Device choose(Setting setting, int gpuCount) {
        return switch (setting) {
            case CPU -> Device.cpu();
            case AUTO -> gpuCount > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpuCount < 1) {
                    throw new IllegalStateException("trainer.device=gpu but DJL finds no GPU: the PyTorch engine loaded a CPU"
                            + " libtorch, or no CUDA driver is visible (see trainer/README.md, GPU); use trainer.device=auto or cpu");
                }
                yield Device.gpu();
            }
        };
    }
}
