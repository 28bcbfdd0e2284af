package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.images.ImageSet;

class LabelNoiseTest {

    private static ImageSet set(int n, int classes) {
        int[] labels = new int[n];
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            ids[i] = "s" + i;
        }
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(c -> "c" + c).toList();
        return new ImageSet(new ImageGeometry(1, 2, 2), names, new byte[n * 4], labels, ids);
    }

    @Test
    void flipsTheRequestedShareToAnotherLabelAndRecordsEachFlip() {
        ImageSet train = set(1000, 10);
        LabelNoise.Applied a = LabelNoise.apply(train, 0.2, 7);
        assertEquals(200, a.record().flips().size());
        int changed = 0;
        Set<String> flipped = new HashSet<>();
        for (LabelNoise.Flip f : a.record().flips()) {
            flipped.add(f.id());
            assertNotEquals(f.trueLabel(), f.givenLabel(), "a flip must change the label: " + f);
        }
        for (int i = 0; i < train.size(); i++) {
            if (train.label(i) != a.images().label(i)) {
                changed++;
                String id = train.id(i);
                assertEquals(true, flipped.contains(id), "unrecorded flip of " + id);
                assertEquals("c" + train.label(i), a.record().flips().stream()
                        .filter(f -> f.id().equals(id)).findFirst().orElseThrow().trueLabel());
                assertEquals("c" + a.images().label(i), a.record().flips().stream()
                        .filter(f -> f.id().equals(id)).findFirst().orElseThrow().givenLabel());
            }
        }
        assertEquals(200, changed);
        assertEquals(train.id(5), a.images().id(5), "ids travel with their images");
    }

    @Test
    void sameSeedSameFlipsAnotherSeedOthers() {
        ImageSet train = set(500, 5);
        assertEquals(LabelNoise.apply(train, 0.1, 3).record(), LabelNoise.apply(train, 0.1, 3).record());
        assertNotEquals(LabelNoise.apply(train, 0.1, 3).record().flips(), LabelNoise.apply(train, 0.1, 4).record().flips());
    }

    @Test
    void flipsAreSymmetricOverTheOtherLabels() {
        ImageSet train = set(20_000, 4);
        int[][] counts = new int[4][4];
        LabelNoise.Applied a = LabelNoise.apply(train, 0.5, 1);
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)][a.images().label(i)]++;
        }
        for (int from = 0; from < 4; from++) {
            for (int to = 0; to < 4; to++) {
                if (from != to) {
                    // 5,000 per class, half flipped, a third of those to each other label: ~833
                    assertEquals(833, counts[from][to], 120, "flips " + from + " -> " + to);
                }
            }
        }
    }

    @Test
    void zeroNoiseIsTheSameSetAndBadFractionsAreRefused(@TempDir Path dir) throws Exception {
        ImageSet train = set(10, 2);
        assertSame(train, LabelNoise.apply(train, 0, 1).images());
        assertThrows(IllegalArgumentException.class, () -> LabelNoise.apply(train, 1.0, 1));
        LabelNoise.Applied a = LabelNoise.apply(train, 0.3, 1);
        Path f = dir.resolve(LabelNoise.FILE);
        a.record().write(f);
        assertEquals(a.record(), LabelNoise.Record.read(f));
        assertEquals(true, Files.readString(f).contains("\"trueLabel\""));
    }
}
