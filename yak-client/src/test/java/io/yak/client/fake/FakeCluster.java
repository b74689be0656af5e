package io.yak.client.fake;

import java.util.ArrayList;
import java.util.List;

/** A fake coordinator plus {@code n} fake brokers (ids 1..n) over one shared log store. */
public final class FakeCluster implements AutoCloseable {
    public final FakeLogStore store = new FakeLogStore();
    public final FakeCoordinator coordinator;
    public final List<FakeBroker> brokers = new ArrayList<>();

    public FakeCluster(int brokerCount, int defaultPartitions) {
        coordinator = new FakeCoordinator(defaultPartitions);
        for (int i = 1; i <= brokerCount; i++) {
            brokers.add(new FakeBroker(i, coordinator, store));
        }
    }

    public String bootstrap() {
        return coordinator.address();
    }

    public FakeBroker broker(int id) {
        return brokers.get(id - 1);
    }

    @Override
    public void close() {
        for (FakeBroker b : brokers) {
            b.close();
        }
        coordinator.close();
    }
}
