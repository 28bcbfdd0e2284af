package org.supcon.trainer.quality;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.supcon.trainer.io.JsonFiles;

/**
 * Suspected mislabels of a dataset under one model ({@value #FILE} in the run and the version):
 * each sample's {@code neighbours} nearest samples in the model's embedding space (itself
 * excluded) vote on its label; a sample whose given label gets {@code margin} of the votes fewer
 * than the winning label is a suspect. Suspects are sorted by confidence, highest first, then by
 * support (how close the voting neighbours are).
 *
 * @param modelName the model whose embeddings voted
 * @param version the published version, or null when the run did not publish
 * @param runId the run that computed it
 * @param neighbours votes per sample
 * @param margin the vote-share gap that makes a suspect
 * @param samples samples examined
 * @param suspects the suspects, most confident first
 */
@JsonPropertyOrder({"modelName", "version", "runId", "neighbours", "margin", "samples", "suspects"})
public record LabelIssues(String modelName, Long version, String runId, int neighbours, double margin, int samples,
        List<Suspect> suspects) {

    public static final String FILE = "label-issues.json";


    /**
     * One suspect.
     *
     * @param id the sample's id: relabel it by sending a {@code LabeledImage} with this id
     * @param split train, validation or test
     * @param givenLabel the label the dataset gives it
     * @param suggestedLabel the label its neighbours vote for
     * @param confidence the suggested label's vote share minus the given label's, in (0, 1]
     * @param support the mean cosine of the neighbours voting for the suggested label; among equal
     *     confidences the higher support ranks first
     * @param votes vote count per label among the neighbours
     * @param neighbours the neighbours' ids, nearest first
     */
    @JsonPropertyOrder({"id", "split", "givenLabel", "suggestedLabel", "confidence", "support", "votes", "neighbours"})
    public record Suspect(String id, String split, String givenLabel, String suggestedLabel, double confidence,
            double support, Map<String, Integer> votes, List<String> neighbours) {}

    /** The same list as published: with the version it belongs to. */
    public LabelIssues withVersion(long published) {
        return new LabelIssues(modelName, published, runId, neighbours, margin, samples, suspects);
    }

    public byte[] toJson() {
        return JsonFiles.toJson(this, FILE);
    }

    public void write(Path file) throws IOException {
        JsonFiles.write(file, this);
    }

    public static LabelIssues read(Path file) throws IOException {
        return JsonFiles.read(file, LabelIssues.class);
    }
}
