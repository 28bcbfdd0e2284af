package org.supcon.trainer.pipeline;

import java.util.List;
import org.supcon.trainer.train.TrainResult;

/**
 * A finished run's held-out results, as its status shows them.
 *
 * @param testAccuracy the final model's accuracy on the test part
 * @param validationAccuracy on the validation split; null when there is none
 * @param confusionMatrix rows = true label, columns = predicted, over the test part
 */
public record RunMetrics(double testAccuracy, Double validationAccuracy, int testImages, List<String> labels,
        int[][] confusionMatrix) {

    static RunMetrics of(TrainResult r) {
        return new RunMetrics(r.testAccuracy(), Double.isNaN(r.validationAccuracy()) ? null : r.validationAccuracy(),
                r.testImages(), r.labels(), r.confusionMatrix());
    }
}
