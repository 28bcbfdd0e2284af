package org.supcon.trainer.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.supcon.trainer.images.ImageSet;

/**
 * The held-out test part of a dataset snapshot, for the final evaluation and the gate.
 *
 * <p>When any record carries the split hint {@code test}, exactly those records are the test part.
 * Otherwise, per class, the {@code round(n * fraction)} samples with the smallest SHA-256 of their
 * id are (at least one stays for training): a sample keeps its side of the split however the
 * dataset grows, and the same snapshot always splits the same way.
 */
public final class HeldOutSplit {

    /** How the test part was chosen. */
    public enum Source {
        /** records with split hint {@code test} */
        RECORDS,
        /** the stratified id-hash split */
        ID_HASH
    }

    /** The two parts; both keep the snapshot's geometry, label names and order. */
    public record Parts(ImageSet train, ImageSet test, Source source, int[] testIndices) {}

    private HeldOutSplit() {}

    /**
     * @param images the snapshot
     * @param ids sample id per image
     * @param splits split hint per image ({@code ""} when none)
     * @param fraction share of each class held out when no record is marked {@code test}, in (0, 1)
     */
    public static Parts split(ImageSet images, List<String> ids, List<String> splits, double fraction) {
        if (ids.size() != images.size() || splits.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + ids.size() + " ids and " + splits.size() + " split hints");
        }
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + fraction);
        }
        boolean[] test = new boolean[images.size()];
        Source source = splits.contains("test") ? Source.RECORDS : Source.ID_HASH;
        if (source == Source.RECORDS) {
            for (int i = 0; i < test.length; i++) {
                test[i] = "test".equals(splits.get(i));
            }
        } else {
            List<List<Integer>> byClass = new ArrayList<>();
            for (int c = 0; c < images.numClasses(); c++) {
                byClass.add(new ArrayList<>());
            }
            for (int i = 0; i < images.size(); i++) {
                byClass.get(images.label(i)).add(i);
            }
            for (List<Integer> members : byClass) {
                int take = (int) Math.min(Math.round(members.size() * fraction), Math.max(0, members.size() - 1));
                members.sort(Comparator.comparing((Integer i) -> hash(ids.get(i))).thenComparing(ids::get));
                for (int k = 0; k < take; k++) {
                    test[members.get(k)] = true;
                }
            }
        }
        int testCount = 0;
        for (boolean b : test) {
            testCount += b ? 1 : 0;
        }
        int[] testIdx = new int[testCount];
        int[] trainIdx = new int[images.size() - testCount];
        int t = 0;
        int r = 0;
        for (int i = 0; i < test.length; i++) {
            if (test[i]) {
                testIdx[t++] = i;
            } else {
                trainIdx[r++] = i;
            }
        }
        return new Parts(images.subset(trainIdx), images.subset(testIdx), source, testIdx);
    }

    /** First 8 bytes of SHA-256(id), as an unsigned-order string key (hex). */
    static String hash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(16);
            for (int i = 0; i < 8; i++) {
                sb.append(Character.forDigit((d[i] >> 4) & 0xf, 16)).append(Character.forDigit(d[i] & 0xf, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
