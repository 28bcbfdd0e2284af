package org.supcon.common.index;

/**
 * One search hit: the sample's position in the index ({@code ordinal}), its id, label and split,
 * and its cosine similarity to the query (1 = same direction).
 */
public record Neighbour(int ordinal, String id, int label, String split, float score) {}
