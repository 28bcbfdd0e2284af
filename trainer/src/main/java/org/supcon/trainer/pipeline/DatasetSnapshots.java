package org.supcon.trainer.pipeline;

import java.io.IOException;
import org.supcon.trainer.dataset.DatasetCache;

/** Where a run takes its dataset snapshot from (the service: the open dataset cache). */
@FunctionalInterface
public interface DatasetSnapshots {

    DatasetCache.IdentifiedSnapshot take() throws IOException;
}
