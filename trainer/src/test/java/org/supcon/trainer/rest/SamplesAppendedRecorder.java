package org.supcon.trainer.rest;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;
import org.supcon.trainer.service.SamplesAppended;

/** Test bean: sums the {@link SamplesAppended} events the consumer fires. */
@Singleton
public class SamplesAppendedRecorder {

    final AtomicLong added = new AtomicLong();
    final AtomicLong events = new AtomicLong();
    volatile int lastTotal;

    void on(@Observes SamplesAppended event) {
        added.addAndGet(event.added());
        events.incrementAndGet();
        lastTotal = event.totalSamples();
    }
}
