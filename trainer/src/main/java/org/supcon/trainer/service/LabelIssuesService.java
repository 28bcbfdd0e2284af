package org.supcon.trainer.service;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.supcon.trainer.config.TrainerConfig;
import org.supcon.trainer.quality.LabelIssues;
import org.supcon.trainer.repository.ModelRepository;
import org.supcon.trainer.repository.PublishedVersion;

/**
 * The suspected mislabels of the latest published version of the trainer's model
 * ({@code trainer.model-repository}, {@code trainer.model-name}), read from that version's
 * {@value LabelIssues#FILE}, paged, each joined with the label the dataset cache holds now, so
 * that a relabel sent to the topic shows up before the next run. A version is immutable, so its
 * list is read once and kept until a newer version is published.
 */
@Singleton
public class LabelIssuesService {

    /** The largest page. */
    public static final int MAX_LIMIT = 1000;

    /** Highest confidence first, then the closest evidence (support); ties by id, so pages do not overlap. */
    private static final Comparator<LabelIssues.Suspect> ORDER = Comparator
            .comparingDouble(LabelIssues.Suspect::confidence).reversed()
            .thenComparing(Comparator.comparingDouble(LabelIssues.Suspect::support).reversed())
            .thenComparing(LabelIssues.Suspect::id);

    /** Neither a published version nor its list of suspects exists; the message says which. */
    public static final class NotFoundException extends Exception {
        NotFoundException(String message) {
            super(message);
        }
    }

    private record Loaded(Path directory, LabelIssues issues) {}

    private final TrainerConfig config;
    private final DatasetStore store;
    private final ModelRepository repository;
    private final AtomicReference<Loaded> loaded = new AtomicReference<>();

    public LabelIssuesService(TrainerConfig config, DatasetStore store) {
        this.config = config;
        this.store = store;
        this.repository = new ModelRepository(config.modelRepository());
    }

    /**
     * Suspects {@code offset} to {@code offset + limit} (exclusive) of the latest version.
     *
     * @throws IllegalArgumentException if offset is negative or limit is not in 1..{@value #MAX_LIMIT}
     * @throws NotFoundException if the model has no published version, or its latest has no list
     * @throws IOException if the version's card or list cannot be read
     */
    public LabelIssuesPage page(int offset, int limit) throws NotFoundException, IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ", got " + limit);
        }
        String name = config.modelName();
        Optional<PublishedVersion> latest = repository.latest(name);
        if (latest.isEmpty()) {
            throw new NotFoundException("model " + name + " has no published version in " + repository.root()
                    + " yet: suspected mislabels are computed when a training run publishes one");
        }
        PublishedVersion v = latest.get();
        LabelIssues issues = issues(v);
        List<LabelIssues.Suspect> all = issues.suspects();
        List<LabelIssues.Suspect> page = all.subList(Math.min(offset, all.size()), (int) Math.min((long) offset + limit, all.size()));
        Map<String, String> current = store.cache().labels(page.stream().map(LabelIssues.Suspect::id).toList());
        List<LabelIssuesPage.Suspect> suspects = page.stream().map(s -> new LabelIssuesPage.Suspect(s.id(), s.split(),
                s.givenLabel(), current.get(s.id()), s.suggestedLabel(), s.confidence(), s.support(), s.votes(), s.neighbours()))
                .toList();
        String runId = issues.runId() != null ? issues.runId() : v.card().runId();
        return new LabelIssuesPage(name, v.version(), runId, issues.neighbours(), issues.margin(), issues.samples(),
                all.size(), offset, limit, suspects);
    }

    /** The version's list, sorted; read once per version. */
    private LabelIssues issues(PublishedVersion v) throws NotFoundException, IOException {
        Loaded l = loaded.get();
        if (l != null && l.directory().equals(v.directory())) {
            return l.issues();
        }
        Path file = v.file(LabelIssues.FILE);
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("version " + v.version() + " of " + v.name() + " has no " + LabelIssues.FILE
                    + ": the run that published it did not analyse the dataset's labels");
        }
        LabelIssues read = LabelIssues.read(file);
        List<LabelIssues.Suspect> sorted = read.suspects() == null ? List.of() : read.suspects().stream().sorted(ORDER).toList();
        LabelIssues issues = new LabelIssues(read.modelName(), read.version(), read.runId(), read.neighbours(), read.margin(),
                read.samples(), sorted);
        loaded.set(new Loaded(v.directory(), issues));
        return issues;
    }
}
