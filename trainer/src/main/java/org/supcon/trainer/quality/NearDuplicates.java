package org.supcon.trainer.quality;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.supcon.trainer.io.JsonFiles;

/**
 * Near-duplicate groups of a dataset under one model ({@value #FILE} in the run and the version):
 * samples whose embeddings have cosine similarity of at least {@code threshold}, joined
 * transitively into groups. Pairs with one sample in train and the other in test are listed
 * apart: they leak test images into training.
 *
 * @param threshold the cosine similarity at or above which two samples are near-duplicates
 * @param samples samples examined
 * @param groups groups of two or more samples, largest first
 * @param crossSplitPairs pairs across the train/test split, most similar first; at most
 *     {@value #MAX_LISTED_PAIRS} (a weak model can put thousands of samples above the threshold)
 * @param crossSplitPairsTotal how many such pairs were found, listed or not
 */
@JsonPropertyOrder({"modelName", "version", "runId", "threshold", "samples", "groups", "crossSplitPairs",
    "crossSplitPairsTotal"})
public record NearDuplicates(String modelName, Long version, String runId, double threshold, int samples,
        List<Group> groups, List<Pair> crossSplitPairs, int crossSplitPairsTotal) {

    /** The most cross-split pairs the file lists. */
    public static final int MAX_LISTED_PAIRS = 10_000;

    public static final String FILE = "near-duplicates.json";


    /** One group: its members' ids with their splits and labels, and its lowest pairwise similarity found. */
    public record Group(List<Member> members, double minScore) {}

    public record Member(String id, String split, String label) {}

    /** Two near-duplicates, one in train (or validation) and one in test. */
    public record Pair(String trainId, String testId, double score, String trainLabel, String testLabel) {}

    /** The same list as published: with the version it belongs to. */
    public NearDuplicates withVersion(long published) {
        return new NearDuplicates(modelName, published, runId, threshold, samples, groups, crossSplitPairs,
                crossSplitPairsTotal);
    }

    public byte[] toJson() {
        return JsonFiles.toJson(this, FILE);
    }

    public void write(Path file) throws IOException {
        JsonFiles.write(file, this);
    }

    public static NearDuplicates read(Path file) throws IOException {
        return JsonFiles.read(file, NearDuplicates.class);
    }
}
