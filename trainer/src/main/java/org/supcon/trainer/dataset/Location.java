package org.supcon.trainer.dataset;

/**
 * Where the latest entry of an id lives, and what the index needs without reading it: the
 * {@link SegmentLog} finds the entry by segment, offset and size, the {@link DatasetCache} counts
 * labels and selects splits, and the CRC spots a possible duplicate before any payload is read.
 */
record Location(int segment, long offset, int size, int crc, String label, String split) {

    /** The same entry at another place, as compaction moves it. */
    Location movedTo(int newSegment, long newOffset) {
        return new Location(newSegment, newOffset, size, crc, label, split);
    }
}
