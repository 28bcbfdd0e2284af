package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

class HeldOutSplitTest {

    private static ImageSet set(int[] labels) {
        ImageGeometry g = new ImageGeometry(1, 1, 1);
        byte[] px = new byte[labels.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        return new ImageSet(g, List.of("a", "b"), px, labels);
    }

    @Test
    void recordsMarkedTestAreTheTestPart() {
        ImageSet s = set(new int[] {0, 1, 0, 1, 0});
        HeldOutSplit.Parts p = HeldOutSplit.split(s, List.of("1", "2", "3", "4", "5"), List.of("", "test", "train", "test", ""), 0.5);
        assertEquals(HeldOutSplit.Source.RECORDS, p.source());
        assertArrayEquals(new int[] {1, 3}, p.testIndices());
        assertEquals(3, p.train().size());
    }

    @Test
    void idHashSplitIsStratifiedAndStableAsTheDatasetGrows() {
        int n = 200;
        int[] labels = new int[n];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i < 150 ? 0 : 1;
            ids.add("img-" + i);
        }
        List<String> none = Collections.nCopies(n, "");
        HeldOutSplit.Parts p = HeldOutSplit.split(set(labels), ids, none, 0.2);
        assertEquals(HeldOutSplit.Source.ID_HASH, p.source());
        assertArrayEquals(new int[] {30, 10}, p.test().countsPerLabel(), "20% of each label");
        List<String> testIds = Arrays.stream(p.testIndices()).mapToObj(ids::get).toList();
        // the same snapshot always splits the same way
        HeldOutSplit.Parts again = HeldOutSplit.split(set(labels), ids, none, 0.2);
        assertArrayEquals(p.testIndices(), again.testIndices());
        // the same samples of one label in reverse order: same test ids
        List<String> firstLabel = new ArrayList<>(ids.subList(0, 150));
        Collections.reverse(firstLabel);
        HeldOutSplit.Parts rev = HeldOutSplit.split(set(new int[150]), firstLabel, Collections.nCopies(150, ""), 0.2);
        List<String> revIds = Arrays.stream(rev.testIndices()).mapToObj(firstLabel::get).sorted().toList();
        assertEquals(testIds.stream().filter(id -> Integer.parseInt(id.substring(4)) < 150).sorted().toList(), revIds);
    }

    @Test
    void aLabelWithOneSampleKeepsItForTraining() {
        HeldOutSplit.Parts p = HeldOutSplit.split(set(new int[] {0, 0, 0, 0, 1}), List.of("a", "b", "c", "d", "e"),
                Collections.nCopies(5, ""), 0.5);
        assertArrayEquals(new int[] {2, 0}, p.test().countsPerLabel());
    }
}
