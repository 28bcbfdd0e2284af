package org.supcon.inference.oip;

import java.util.Optional;

import org.supcon.inference.model.Inference;
import org.supcon.inference.model.ServedModel;

/**
 * Finds the version an OIP request names: the model name must be the served model's, the
 * version empty (the newest loaded one) or a loaded version number ({@code versions/{v}}).
 */
public final class ModelResolver {

    private ModelResolver() {
    }

    public static ServedModel resolve(Inference inference, String name, String version) {
        ServedModel latest = inference.latest()
                .orElseThrow(() -> OipException.unavailable("no model version is loaded yet; try again later"));
        if (!latest.name().equals(name)) {
            throw OipException.notFound("unknown model '" + name + "'; this server serves '" + latest.name() + "'");
        }
        if (version == null || version.isEmpty()) {
            return latest;
        }
        long v;
        try {
            v = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw OipException.notFound("model '" + name + "' has no version '" + version + "'; versions are numbers");
        }
        if (v == latest.version()) {
            return latest;
        }
        Optional<ServedModel> found = inference.version(v);
        return found.orElseThrow(() -> OipException.notFound("version " + v + " of model '" + name
                + "' is not loaded; the newest is " + latest.version()));
    }
}
