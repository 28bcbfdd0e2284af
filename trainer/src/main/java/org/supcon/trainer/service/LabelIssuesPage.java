package org.supcon.trainer.service;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code GET /dataset/label-issues} answers: one page of the suspected mislabels that the
 * latest published version's model found in its dataset, most confident first, each with the
 * label the dataset cache holds for it now.
 *
 * @param modelName the model whose embeddings voted
 * @param version the published version whose {@code label-issues.json} this is
 * @param runId the training run that computed the list
 * @param neighbours votes per sample
 * @param margin the vote-share gap that makes a suspect
 * @param samples samples examined
 * @param total suspects in the list (all pages)
 * @param offset suspects skipped before this page
 * @param limit the most suspects a page holds
 * @param suspects this page's suspects, highest confidence first
 */
@Schema(description = "A page of the suspected mislabels of the latest published version, highest confidence first")
@JsonPropertyOrder({"modelName", "version", "runId", "neighbours", "margin", "samples", "total", "offset", "limit", "suspects"})
public record LabelIssuesPage(String modelName, long version, String runId, int neighbours, double margin, int samples,
        int total, int offset, int limit, List<Suspect> suspects) {

    /**
     * One suspect.
     *
     * @param id the sample's id: relabel it by sending a {@code LabeledImage} with this id
     * @param split train, validation or test
     * @param givenLabel the label the run trained with
     * @param currentLabel the label the dataset cache holds for this id now (a relabel shows here at
     *     once); null when the id is no longer in the cache
     * @param suggestedLabel the label its neighbours vote for
     * @param confidence the suggested label's vote share minus the given label's, in (0, 1]
     * @param support the mean cosine of the neighbours voting for the suggested label (ranks equal confidences)
     * @param votes vote count per label among the neighbours
     * @param neighbours the neighbours' ids, nearest first
     */
    @Schema(name = "LabelIssuesSuspect")
    @JsonPropertyOrder({"id", "split", "givenLabel", "currentLabel", "suggestedLabel", "confidence", "support", "votes",
        "neighbours"})
    public record Suspect(String id, String split, String givenLabel,
            @Schema(nullable = true) String currentLabel, String suggestedLabel, double confidence, double support,
            Map<String, Integer> votes, List<String> neighbours) {}
}
