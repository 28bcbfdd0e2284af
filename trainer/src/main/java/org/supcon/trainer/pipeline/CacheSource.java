package org.supcon.trainer.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.supcon.trainer.images.ImageSet;
import org.supcon.trainer.io.Durable;
import org.supcon.trainer.dataset.DatasetCache;
import org.supcon.trainer.settings.RunSettings;

/**
 * The service's images: a snapshot of the dataset cache, split into a held-out test part (the
 * records marked {@code test}, else {@code testFraction} of each class by id hash). The ids of
 * the snapshot are kept beside the run, so a resumed run trains on the samples it started with.
 *
 * @param recorded what the run recorded of its data before it was interrupted; null for a new run
 */
public record CacheSource(DatasetSnapshots snapshots, DatasetFacts recorded) implements DataSource {

    /** The {@code dataset} recorded in a run's checkpoint: the service trains on its dataset cache. */
    public static final String DATASET = "dataset-cache";
    static final String SNAPSHOT_IDS = "snapshot-ids.txt";

    @Override
    public Loaded load(RunSettings settings, Path output) throws IOException {
        DatasetCache.IdentifiedSnapshot snap = snapshots.take();
        Path idsFile = output.resolve(SNAPSHOT_IDS);
        if (Files.exists(idsFile)) {
            snap = restrict(snap, Files.readAllLines(idsFile), recorded);
        } else {
            Durable.writeAtomically(idsFile, snap.ids().stream().map(id -> id + "\n").collect(Collectors.joining()).getBytes(StandardCharsets.UTF_8));
        }
        ImageSet all = snap.images();
        if (all.numClasses() < 2) {
            throw new IllegalStateException("the dataset cache holds " + all.size() + " samples of " + all.numClasses()
                    + " label(s); a run needs at least two labels");
        }
        HeldOutSplit.Parts parts = HeldOutSplit.split(all, snap.ids(), snap.splits(), settings.testFraction());
        if (parts.test().size() == 0 || parts.train().size() < 2) {
            throw new IllegalStateException("the dataset cache holds " + all.size() + " samples: too few for a held-out test part ("
                    + parts.test().size() + " test, " + parts.train().size() + " train)");
        }
        String testSplit = parts.source() == HeldOutSplit.Source.RECORDS ? "records with split \"test\""
                : "stratified by id hash, fraction " + settings.testFraction();
        return new Loaded(parts.train(), parts.test(), DATASET,
                "dataset cache: " + all.size() + " samples, offsets " + snap.offsets(), testSplit, snap.offsets());
    }

    /** The snapshot restricted to the ids a run started with (resume). */
    private static DatasetCache.IdentifiedSnapshot restrict(DatasetCache.IdentifiedSnapshot snap, List<String> ids,
            DatasetFacts recorded) {
        Set<String> wanted = new LinkedHashSet<>(ids);
        int[] keep = new int[wanted.size()];
        int k = 0;
        List<String> keptIds = new ArrayList<>();
        List<String> keptSplits = new ArrayList<>();
        for (int i = 0; i < snap.ids().size(); i++) {
            if (wanted.contains(snap.ids().get(i))) {
                keep[k++] = i;
                keptIds.add(snap.ids().get(i));
                keptSplits.add(snap.splits().get(i));
            }
        }
        if (k != wanted.size()) {
            throw new IllegalStateException("cannot resume: " + (wanted.size() - k) + " samples of the run's snapshot are no longer in the dataset cache");
        }
        ImageSet images = snap.images().subset(keep);
        if (recorded != null && recorded.labels() != null && !recorded.labels().equals(images.labelNames())) {
            throw new IllegalStateException("cannot resume: the dataset's labels changed from " + recorded.labels() + " to "
                    + images.labelNames());
        }
        Map<String, Long> offsets = recorded != null && recorded.offsets() != null ? recorded.offsets() : snap.offsets();
        return new DatasetCache.IdentifiedSnapshot(images, keptIds, keptSplits, offsets);
    }
}
