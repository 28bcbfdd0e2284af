package org.supcon.trainer.service;

/**
 * CDI event fired by the consumer after a batch of records is durable in the dataset cache (the
 * trigger policy counts {@code added + replaced} since the last run). Fired synchronously on the
 * consumer thread, only for batches that added or replaced samples: an observer must return
 * quickly (hand longer work to another thread), or it holds up ingestion.
 */
public record SamplesAppended(int added, int replaced, int totalSamples) {
}
