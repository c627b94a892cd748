// Capture drives the stock ZooKeeper Java client through every operation
// it can send, against the in-test server of java_test.go, which records
// and checks the frames. Usage: java Capture host:port
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

public class Capture {
    static final Semaphore connected = new Semaphore(0);

    static void awaitConnected() throws Exception {
        if (!connected.tryAcquire(20, TimeUnit.SECONDS)) {
            throw new Exception("not connected within 20 s");
        }
    }

    static void expect(Object got, Object want) throws Exception {
        if (!got.equals(want)) {
            throw new Exception("got " + got + ", want " + want);
        }
    }

    public static void main(String[] args) throws Exception {
        Watcher watcher = event -> {
            if (event.getType() == Watcher.Event.EventType.None
                    && event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.release();
            }
        };
        ZooKeeper zk = new ZooKeeper(args[0], 30000, watcher);
        awaitConnected();
        List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
        Stat stat = new Stat();

        expect(zk.create("/p", "x".getBytes(), open, CreateMode.PERSISTENT), "/p");
        expect(zk.create("/s", null, open, CreateMode.EPHEMERAL_SEQUENTIAL, stat), "/s0000000007");
        expect(stat.getNumChildren(), 10);
        zk.create("/c", new byte[0], open, CreateMode.CONTAINER);
        zk.create("/t", "x".getBytes(), open, CreateMode.PERSISTENT_WITH_TTL, stat, 5000);
        expect(new String(zk.getData("/p", true, stat)), "data of /p");
        zk.setData("/p", "y".getBytes(), 3);
        expect(zk.exists("/missing", true) == null, true);
        expect(zk.getChildren("/", true), Arrays.asList("a", "b"));
        expect(zk.getChildren("/", false, stat), Arrays.asList("a", "b"));
        expect(zk.getACL("/p", stat), open);
        zk.setACL("/p", ZooDefs.Ids.READ_ACL_UNSAFE, 1);
        CountDownLatch synced = new CountDownLatch(1);
        zk.sync("/p", (rc, path, ctx) -> synced.countDown(), null);
        synced.await(20, TimeUnit.SECONDS);
        expect(zk.multi(Arrays.asList(
                Op.create("/m", "x".getBytes(), open, CreateMode.PERSISTENT),
                Op.setData("/m", "y".getBytes(), -1),
                Op.check("/m", 1),
                Op.delete("/m", 1))).size(), 4);
        expect(zk.multi(Arrays.asList(Op.getChildren("/"), Op.getData("/p"))).size(), 2);
        zk.delete("/p", -1);
        Watcher persistent = event -> { };
        zk.addWatch("/r", persistent, AddWatchMode.PERSISTENT);
        zk.removeWatches("/r", persistent, Watcher.WatcherType.Any, false);
        zk.addWatch("/rr", AddWatchMode.PERSISTENT_RECURSIVE);
        zk.addWatch("/r2", AddWatchMode.PERSISTENT);
        zk.removeAllWatches("/r2", Watcher.WatcherType.Any, false);
        expect(zk.getEphemerals("/"), Arrays.asList("//e1"));
        expect(zk.getAllChildrenNumber("/"), 42);
        zk.addAuthInfo("digest", "u:pw".getBytes());

        // The server drops the connection after answering this; the client
        // reconnects with its session, auth and watches.
        zk.exists("/drop", false);
        awaitConnected();
        zk.exists("/after", false);
        zk.close();
    }
}
