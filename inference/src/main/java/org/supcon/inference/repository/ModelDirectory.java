package org.supcon.inference.repository;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.supcon.common.repository.RepositoryLayout;

/**
 * The versions of the one model this service serves, read through the shared
 * {@link RepositoryLayout} ({@code ROOT/NAME/VERSION/}). The trainer makes a version appear by one
 * atomic rename of a complete directory, so a listed version is never half-written.
 */
public final class ModelDirectory {

    private final RepositoryLayout layout;
    private final String name;

    public ModelDirectory(Path root, String name) {
        this.layout = new RepositoryLayout(root);
        this.name = RepositoryLayout.requireModelName(name);
    }

    public Path dir() {
        return layout.modelDir(name);
    }

    public String name() {
        return name;
    }

    /** Complete versions, newest first; empty when the model directory does not exist (yet). */
    public List<RepositoryVersion> versionsNewestFirst() throws IOException {
        List<RepositoryVersion> versions = new ArrayList<>();
        for (long v : layout.versions(name)) {
            versions.add(0, new RepositoryVersion(name, v, layout.versionDir(name, v)));
        }
        return versions;
    }
}
