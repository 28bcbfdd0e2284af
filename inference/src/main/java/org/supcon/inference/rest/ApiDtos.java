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

    /**
     * {@code POST /v1/search} as JSON: exactly one of {@code image} (base64 PNG/JPEG, as in
     * /v1/embeddings) and {@code vector} (an embedding of the model's size); the rest optional.
     */
    public record SearchRequest(String image, List<Float> vector, Integer k, Float minScore, Boolean exact) {
    }

    /** A sample of the version's dataset near the query: its id, label name, split and cosine similarity. */
    public record Neighbour(String id, String label, String split, float score) {
    }

    /** The version searched, whether the search was exact (else HNSW), and the neighbours, best first. */
    public record SearchResponse(String model, long version, boolean exact, List<Neighbour> neighbours) {
    }
}
