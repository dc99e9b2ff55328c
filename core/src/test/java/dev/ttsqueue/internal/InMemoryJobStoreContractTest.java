package dev.ttsqueue.internal;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.JobStoreContract;

class InMemoryJobStoreContractTest extends JobStoreContract {

    @Override
    protected JobStore newStore() {
        return JobStore.inMemory();
    }
}
