package io.yak.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of clients that join, heartbeat, rejoin when told, crash, pause and leave, against one
 * {@link ConsumerGroup}: no client ever holds an assignment of a generation other than the one it synced in, a
 * stable generation's members are exactly the clients that believe they are in it, and once the faults stop every
 * live client ends up in one stable generation. {@code -Dyak.test.seed=S} replays a run.
 */
class ConsumerGroupSimulationTest {
    private static final int SESSION_MS = 3_000;
    private static final int REBALANCE_MS = 5_000;

    private final class Client {
        final String name;
        boolean alive = true;
        long pausedUntilMs;
        String memberId = "";
        int generation = -1;
        boolean joining;
        boolean stable;
        long nextHeartbeatMs;

        Client(String name) {
            this.name = name;
        }

        void join(long now) {
            joining = true;
            stable = false;
            Map<String, byte[]> protocols = new LinkedHashMap<>();
            protocols.put("range", new byte[0]);
            group.join(memberId, null, name, "h", "consumer", protocols, SESSION_MS, REBALANCE_MS, now,
                this::joined);
        }

        void joined(JoinResult r) {
            joining = false;
            if (!alive) {
                return;
            }
            if (r.error() != ErrorCode.NONE) {
                memberId = "";
                return; // joins again at its next step
            }
            memberId = r.memberId();
            generation = r.generation();
            Map<String, byte[]> assignments = new HashMap<>();
            for (JoinResult.MemberSubscription m : r.members()) {
                assignments.put(m.memberId(), ("g" + r.generation() + "-" + m.memberId())
                    .getBytes(StandardCharsets.UTF_8));
            }
            int gen = r.generation();
            group.sync(memberId, null, gen, assignments, now, s -> synced(gen, s));
        }

        void synced(int gen, SyncResult s) {
            if (!alive || gen != generation) {
                return;
            }
            if (s.error() == ErrorCode.NONE) {
                assertThat(new String(s.assignment(), StandardCharsets.UTF_8)).as("%s's assignment", name)
                    .isEqualTo("g" + gen + "-" + memberId);
                stable = true;
            } else {
                stable = false;
            }
        }

        void step(long now) {
            if (!alive || now < pausedUntilMs || joining) {
                return;
            }
            if (memberId.isEmpty() || (!stable && generation < 0)) {
                join(now);
                return;
            }
            if (now >= nextHeartbeatMs) {
                nextHeartbeatMs = now + 500;
                ErrorCode e = group.heartbeat(memberId, null, generation, now);
                if (e == ErrorCode.REBALANCE_IN_PROGRESS) {
                    join(now);
                } else if (e != ErrorCode.NONE) {
                    memberId = "";
                    generation = -1;
                    stable = false;
                    join(now);
                }
            }
        }
    }

    private final ConsumerGroup group = new ConsumerGroup("sim", 200);
    private long now;

    @Test
    void shouldKeepGenerationsConsistentUnderCrashesPausesAndLeaves() {
        String property = System.getProperty("yak.test.seed");
        long seed = property != null ? Long.parseLong(property) : new Random().nextLong();
        System.out.println("ConsumerGroupSimulationTest seed " + seed + " (-Dyak.test.seed=" + seed + " replays)");
        Random random = new Random(seed);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clients.add(new Client("c" + i));
        }
        int next = clients.size();
        for (int step = 0; step < 6_000; step++) { // 100 ms steps: 10 minutes of faults
            now += 100;
            if (random.nextInt(100) == 0) {
                Client c = clients.get(random.nextInt(clients.size()));
                switch (random.nextInt(4)) {
                    case 0 -> c.alive = false; // crash: silent from now on
                    case 1 -> c.pausedUntilMs = now + random.nextInt(2 * SESSION_MS);
                    case 2 -> {
                        if (c.alive && !c.memberId.isEmpty() && !c.joining) {
                            group.leave(c.memberId, null, now);
                            c.memberId = "";
                            c.generation = -1;
                            c.stable = false;
                        }
                    }
                    default -> clients.add(new Client("c" + next++));
                }
            }
            for (Client c : clients) {
                c.step(now);
            }
            group.tick(now);
            assertInvariants(clients, seed, step);
        }
        for (int step = 0; step < 600; step++) { // a minute without faults
            now += 100;
            for (Client c : clients) {
                c.pausedUntilMs = 0;
                c.step(now);
            }
            group.tick(now);
            assertInvariants(clients, seed, step);
        }
        List<String> live = clients.stream().filter(c -> c.alive).map(c -> c.memberId).toList();
        assertThat(group.state()).as("seed %d", seed).isEqualTo(ConsumerGroup.State.STABLE);
        assertThat(group.memberIds()).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(live);
        assertThat(clients.stream().filter(c -> c.alive)).as("seed %d", seed)
            .allSatisfy(c -> assertThat(c.stable && c.generation == group.generation()).isTrue());
    }

    private void assertInvariants(List<Client> clients, long seed, int step) {
        for (Client c : clients) {
            if (c.alive && c.stable) {
                assertThat(c.generation).as("seed %d step %d: %s", seed, step, c.name)
                    .isLessThanOrEqualTo(group.generation());
            }
        }
        if (group.state() == ConsumerGroup.State.STABLE) {
            for (Client c : clients) {
                if (c.alive && c.stable && c.generation == group.generation()) {
                    assertThat(group.memberIds()).as("seed %d step %d", seed, step).contains(c.memberId);
                }
            }
        }
    }
}
