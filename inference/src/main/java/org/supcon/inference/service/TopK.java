package org.supcon.inference.service;

import java.util.ArrayList;
import java.util.List;

/** The k most probable labels of one row of probabilities, most probable first; ties keep label order. */
public final class TopK {

    /** A label and its probability. */
    public record Entry(int index, String label, float probability) {
    }

    private TopK() {
    }

    /**
     * @param probabilities {@code [n, K]} row-major
     * @param row the image
     * @param labels the K labels in output order
     * @param k how many; capped at K
     */
    public static List<Entry> of(float[] probabilities, int row, List<String> labels, int k) {
        int classes = labels.size();
        int take = Math.min(Math.max(k, 0), classes);
        List<Entry> out = new ArrayList<>(take);
        boolean[] used = new boolean[classes];
        for (int i = 0; i < take; i++) {
            int best = -1;
            for (int j = 0; j < classes; j++) {
                if (!used[j] && (best < 0 || probabilities[row * classes + j] > probabilities[row * classes + best])) {
                    best = j;
                }
            }
            used[best] = true;
            out.add(new Entry(best, labels.get(best), probabilities[row * classes + best]));
        }
        return out;
    }
}
