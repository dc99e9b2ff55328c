package dev.ttsqueue.store;

import dev.ttsqueue.spi.JobStore;
import dev.ttsqueue.spi.JobStoreContract;

class InMemoryJobStoreContractTest extends JobStoreContract {

    @Override
    protected JobStore newStore() {
        return new InMemoryJobStore();
    }
}
