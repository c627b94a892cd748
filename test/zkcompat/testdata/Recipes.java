// Recipes runs Apache Curator's recipes against a ZooKeeper ensemble and
// prints one machine-checkable line per finding; recipes_test.go compiles it
// with javac and asserts the lines. Every wait is bounded: a recipe that
// does not reach the expected state within WAIT_MS prints "FAIL <what>" and
// the program exits with status 1.
//
// Usage: java Recipes <connect string> mutex|latch|discovery
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.KeeperException;

public final class Recipes {
    static final long WAIT_MS = 30_000;
    static final int SESSION_MS = 10_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.out.println("FAIL usage: Recipes <connect> mutex|latch|discovery");
            System.exit(2);
        }
        String connect = args[0];
        switch (args[1]) {
            case "mutex" -> mutex(connect, 5, 5);
            case "latch" -> latch(connect, 3);
            case "discovery" -> discovery(connect, 3);
            default -> fail("unknown recipe " + args[1]);
        }
        System.out.println("done");
        System.exit(0); // Curator's background threads are not daemons
    }

    static CuratorFramework client(String connect) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(SESSION_MS)
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 5))
                .build();
        c.start();
        if (!c.blockUntilConnected((int) WAIT_MS, TimeUnit.MILLISECONDS)) {
            fail("client did not connect to " + connect);
        }
        return c;
    }

    // mutex is the seed's InterProcessMutex: each of n clients (own session)
    // takes the lock rounds times and, holding it, increments a counter in
    // the JVM and one in a znode by read-sleep-write. Without mutual
    // exclusion updates are lost and overlaps are seen.
    static void mutex(String connect, int n, int rounds) throws Exception {
        String lockPath = "/mylock", counterPath = "/counter";
        List<CuratorFramework> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(client(connect));
        }
        clients.get(0).create().forPath(counterPath, "0".getBytes());
        AtomicInteger holders = new AtomicInteger(), overlaps = new AtomicInteger(), counter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<?>> done = new ArrayList<>();
        for (CuratorFramework c : clients) {
            done.add(pool.submit(() -> {
                InterProcessMutex lock = new InterProcessMutex(c, lockPath);
                for (int r = 0; r < rounds; r++) {
                    if (!lock.acquire(WAIT_MS, TimeUnit.MILLISECONDS)) {
                        fail("mutex not acquired within " + WAIT_MS + " ms");
                    }
                    try {
                        if (holders.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        int v = counter.get();
                        int z = Integer.parseInt(new String(c.getData().forPath(counterPath)));
                        Thread.sleep(2);
                        counter.set(v + 1);
                        c.setData().forPath(counterPath, Integer.toString(z + 1).getBytes());
                        holders.decrementAndGet();
                    } finally {
                        lock.release();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(WAIT_MS * rounds, TimeUnit.MILLISECONDS);
        }
        pool.shutdown();
        String znode = new String(clients.get(0).getData().forPath(counterPath));
        // the lock's parent is a container: the server may delete it at any
        // time once its last child is gone
        int left = 0;
        try {
            left = clients.get(0).getChildren().forPath(lockPath).size();
        } catch (KeeperException.NoNodeException gone) {
            // deleted with its last child
        }
        System.out.printf("mutex clients=%d rounds=%d counter=%d znode=%s overlaps=%d lock-children=%d%n",
                n, rounds, counter.get(), znode, overlaps.get(), left);
        clients.forEach(CuratorFramework::close);
    }

    // latch runs n LeaderLatches on the seed's election path: exactly one
    // leads and all agree on it; closing the leader's latch hands leadership
    // to exactly one other.
    static void latch(String connect, int n) throws Exception {
        String path = "/leaders/inventory-cleanup";
        List<CuratorFramework> clients = new ArrayList<>();
        List<LeaderLatch> latches = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CuratorFramework c = client(connect);
            clients.add(c);
            LeaderLatch l = new LeaderLatch(c, path, "service-" + (i + 1));
            l.start();
            latches.add(l);
        }
        LeaderLatch first = awaitOneLeader(latches);
        TreeSet<String> seen = new TreeSet<>();
        for (LeaderLatch l : latches) {
            seen.add(l.getLeader().getId());
        }
        System.out.printf("latch leaders=1 agreed=%b participants=%d%n",
                seen.size() == 1 && seen.first().equals(first.getId()), first.getParticipants().size());
        first.close();
        latches.remove(first);
        LeaderLatch second = awaitOneLeader(latches);
        System.out.printf("latch takeover leaders=1 changed=%b participants=%d%n",
                !second.getId().equals(first.getId()), second.getParticipants().size());
        for (LeaderLatch l : latches) {
            l.close();
        }
        clients.forEach(CuratorFramework::close);
    }

    static LeaderLatch awaitOneLeader(List<LeaderLatch> latches) throws InterruptedException {
        LeaderLatch[] leader = new LeaderLatch[1];
        await("exactly one leader among " + latches.size(), () -> {
            int count = 0;
            for (LeaderLatch l : latches) {
                if (l.hasLeadership()) {
                    count++;
                    leader[0] = l;
                }
            }
            return count == 1;
        });
        return leader[0];
    }

    // discovery registers n instances of order-service, each from its own
    // client, and checks what another client's query and its ServiceCache
    // (kept by child watches) see after an unregister and after an
    // instance's session ends.
    static void discovery(String connect, int n) throws Exception {
        List<CuratorFramework> clients = new ArrayList<>();
        List<ServiceDiscovery<Void>> registrations = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            CuratorFramework c = client(connect);
            clients.add(c);
            ServiceDiscovery<Void> d = discoveryOf(c);
            d.start();
            d.registerService(ServiceInstance.<Void>builder()
                    .name("order-service").id("order-" + i).address("10.0.0." + i).port(8080 + i).build());
            registrations.add(d);
        }
        CuratorFramework reader = client(connect);
        ServiceDiscovery<Void> query = discoveryOf(reader);
        query.start();
        ServiceCache<Void> cache = query.serviceCacheBuilder().name("order-service").build();
        cache.start();
        System.out.println("discovery names=" + String.join(",", new TreeSet<>(query.queryForNames())));
        report("registered", query, cache, "order-1@10.0.0.1:8081,order-2@10.0.0.2:8082,order-3@10.0.0.3:8083");
        registrations.get(1).unregisterService(registrations.get(1).queryForInstance("order-service", "order-2"));
        report("unregistered", query, cache, "order-1@10.0.0.1:8081,order-3@10.0.0.3:8083");
        registrations.get(2).close();
        clients.get(2).close(); // the session ends: its ephemeral registration goes
        report("session-closed", query, cache, "order-1@10.0.0.1:8081");
        System.out.println("discovery znodes=" + String.join(",",
                new TreeSet<>(reader.getChildren().forPath("/services/order-service"))));
        cache.close();
        query.close();
        registrations.get(0).close();
        registrations.get(1).close();
        reader.close();
        clients.get(0).close();
        clients.get(1).close();
    }

    static ServiceDiscovery<Void> discoveryOf(CuratorFramework c) {
        return ServiceDiscoveryBuilder.builder(Void.class).client(c).basePath("/services").build();
    }

    // report prints what a query finds and waits until the cache agrees
    // with the expected set.
    static void report(String step, ServiceDiscovery<Void> query, ServiceCache<Void> cache, String want)
            throws Exception {
        System.out.println("discovery " + step + " query=" + describe(query.queryForInstances("order-service")));
        boolean agreed = waitFor(() -> describe(cache.getInstances()).equals(want));
        System.out.println("discovery " + step + " cache=" + describe(cache.getInstances()));
        if (!agreed) {
            fail("timed out after " + WAIT_MS + " ms waiting for the cache to hold " + want);
        }
    }

    static String describe(Iterable<ServiceInstance<Void>> instances) {
        TreeSet<String> out = new TreeSet<>();
        for (ServiceInstance<Void> s : instances) {
            out.add(s.getId() + "@" + s.getAddress() + ":" + s.getPort());
        }
        return String.join(",", out);
    }

    static void await(String what, BooleanSupplier cond) throws InterruptedException {
        if (!waitFor(cond)) {
            fail("timed out after " + WAIT_MS + " ms waiting for " + what);
        }
    }

    // waitFor polls cond until it holds (true) or WAIT_MS pass (false).
    static boolean waitFor(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    static void fail(String why) {
        System.out.println("FAIL " + why);
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }
}
