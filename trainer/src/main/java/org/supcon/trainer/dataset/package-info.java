/**
 * The trainer's side of the {@code labeled-images} topic, without Kafka: {@link
 * org.supcon.trainer.dataset.RecordValidator} turns a record value into a {@link
 * org.supcon.trainer.dataset.Sample} of the dataset geometry or a DLQ reason, and {@link
 * org.supcon.trainer.dataset.DatasetCache} keeps the accepted samples durably on local disk with
 * the consumer offsets they cover. The cache is derived data: delete its directory and replay the
 * topic from the earliest offsets to rebuild it.
 */
package org.supcon.trainer.dataset;
