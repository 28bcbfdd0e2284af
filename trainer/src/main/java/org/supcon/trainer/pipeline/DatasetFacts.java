package org.supcon.trainer.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a run trained and evaluated on, recorded in its status (and read back to resume it).
 *
 * @param samples images in the source (the snapshot, or the files' training part)
 * @param labels the class names in label order
 * @param testSplit how the test part was chosen
 * @param offsets the Kafka offsets the dataset cache's snapshot covers; null for files
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetFacts(int samples, List<String> labels, int trainImages, int validationImages, int testImages,
        String testSplit, Map<String, Long> offsets) {}
