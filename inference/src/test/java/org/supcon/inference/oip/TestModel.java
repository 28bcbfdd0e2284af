package org.supcon.inference.oip;

import java.util.List;
import java.util.Map;

import org.supcon.inference.model.ServedModel;

/** A model geometry for the pure OIP tests (no session behind it). */
record TestModel(String name, long version, int channels, int height, int width, List<String> labels, int embeddingDim)
        implements ServedModel {

    static TestModel gray(int side) {
        return new TestModel("fashion", 3, 1, side, side, List.of("a", "b", "c"), 8);
    }

    @Override
    public String sha256() {
        return "00";
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }
}
