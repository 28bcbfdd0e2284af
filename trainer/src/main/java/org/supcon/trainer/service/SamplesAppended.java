package org.supcon.trainer.service;

/**
 * CDI event fired by the consumer after a batch of records is durable in the dataset cache (the
 * trigger policy counts {@code added + replaced} since the last run).
 */
public record SamplesAppended(int added, int replaced, int totalSamples) {
}
