package org.supcon.trainer.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSetTest {

    private static final ImageGeometry G = new ImageGeometry(1, 2, 3);

    @Test
    void geometryValidatesAndCountsPixels() {
        assertEquals(3 * 4 * 5, new ImageGeometry(3, 4, 5).pixels());
        assertThrows(IllegalArgumentException.class, () -> new ImageGeometry(2, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> new ImageGeometry(1, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new ImageGeometry(3, 4, -1));
    }

    @Test
    void constructorRejectsInconsistentArrays() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageSet(G, List.of("a", "b"), new byte[7], new int[] {0}));
        assertTrue(e.getMessage().contains("pixels has 7 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ImageSet(G, List.of("a", "b"), new byte[6], new int[] {2}));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ImageSet(G, List.of("a", "a"), new byte[6], new int[] {0}));
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImageSet(G, List.of(), new byte[0], new int[0]));
    }

    @Test
    void subsetHeadAndCounts() {
        ImageSet set = TestImages.indexed(G, 3, 2);
        assertEquals(5, set.size());
        assertEquals(2, set.numClasses());
        assertArrayEquals(new int[] {3, 2}, set.countsPerLabel());

        ImageSet sub = set.subset(new int[] {4, 0, 4});
        assertEquals(3, sub.size());
        assertEquals(4, TestImages.id(sub, 0));
        assertEquals(0, TestImages.id(sub, 1));
        assertEquals(set.label(4), sub.label(0));
        assertEquals(set.pixel(4, 0, 1, 2), sub.pixel(2, 0, 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> set.subset(new int[] {5}));

        ImageSet head = set.head(2);
        assertEquals(2, head.size());
        assertEquals(1, TestImages.id(head, 1));
        assertSame(set, set.head(99));
        assertEquals(0, set.head(0).size());
        assertEquals(2 * G.pixels(), sub.offset(2));
    }

    @Test
    void emptySetIsAllowed() {
        ImageSet empty = ImageSet.empty(G, List.of("x"));
        assertEquals(0, empty.size());
        assertArrayEquals(new int[] {0}, empty.countsPerLabel());
        assertEquals(0, empty.subset(new int[0]).size());
    }
}
