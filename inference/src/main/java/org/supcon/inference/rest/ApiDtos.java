package org.supcon.inference.rest;

import java.util.List;

/** The friendly API's JSON bodies. */
public final class ApiDtos {

    private ApiDtos() {
    }

    /** {@code {"images": ["<base64 PNG/JPEG>", ...], "topK": 3}}; topK only for predictions. */
    public record ImagesRequest(List<String> images, Integer topK) {
    }

    /** One label and its probability. */
    public record LabelProbability(String label, float probability) {
    }

    /** The prediction for one image: the most probable label first. */
    public record Prediction(String label, float probability, List<LabelProbability> top) {
    }

    public record PredictionsResponse(String model, long version, List<Prediction> predictions) {
    }

    /** L2-normalised embeddings, one per image in request order. */
    public record EmbeddingsResponse(String model, long version, int dimension, List<float[]> embeddings) {
    }

    /** Every error: a 4xx/5xx status and what is wrong. */
    public record ErrorResponse(String error) {
    }
}
