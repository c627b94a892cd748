// ZkClient drives ZooKeeper's own Java client (3.8) from a script on its
// standard input, for the operations github.com/go-zookeeper/zk does not
// have: create2, addWatch, removeWatches/checkWatches, whoAmI,
// getEphemerals, getAllChildrenNumber, multiRead, and the setWatches2 the
// Java client sends when it reconnects with persistent watches.
// javaclient_test.go compiles it with javac and feeds it
// testdata/javaclient.txt line by line.
//
// Each input line is one command, words separated by single spaces; "-"
// stands for empty data. A command runs on the current session ("use"
// switches; the first is "a"). Each command prints exactly one line:
// "ok ..." or "err <KeeperException.Code name>" ("err CLIENT <message>" when
// the client library refuses the call itself, "err TIMEOUT" when a wait ran
// out). A stat prints as key=value words (czxid mzxid ctime mtime version
// cversion aversion owner len children pzxid).
//
//	use <name>                          makes <name> the current session
//	connect <servers> <session ms>      ok session=<hex> timeout=<negotiated ms>
//	create <path> <data> <mode>         ok <path>                 (opcode create)
//	create2 <path> <data> <mode> [ttl]  ok <path> <stat>          (create2 or createTTL)
//	get <path> [watch]                  ok <data> <stat>
//	set <path> <data> <version>         ok <stat>
//	delete <path> <version>             ok
//	children <path> [watch]             ok <a,b,...> <stat>      (getChildren2)
//	addWatch <path> persistent|recursive
//	removeWatches <path> <type>         checkWatches: removes this client's watcher
//	removeAllWatches <path> <type>      removeWatches: every watcher of the type
//	whoami                              ok <scheme:user,...>
//	auth <scheme> <credentials>
//	ephemerals <prefix>                 ok <path,...>
//	allChildren <path>                  ok <n>
//	multiRead <children|data>:<path>... ok <result>;<result>...
//	events <n> <ms>                     waits up to ms for n watch events; ok <Type:path,...>
//	awaitState <state> <ms>             waits up to ms for the session to reach a KeeperState
//	close
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Stat;

public final class ZkClient {
    static final long CONNECT_MS = 20_000;

    // Session is one ZooKeeper handle with the one watcher it sets
    // everywhere.
    static final class Session {
        ZooKeeper zk;
        // events holds watch events not yet reported by "events"; states
        // the session states not yet consumed by "awaitState".
        final LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Watcher.Event.KeeperState> states = new LinkedBlockingQueue<>();
        final Watcher watcher = e -> {
            if (e.getType() == Watcher.Event.EventType.None) {
                states.add(e.getState());
            } else {
                events.add(e);
            }
        };
    }

    static final Map<String, Session> sessions = new TreeMap<>();
    static Session current;
    static ZooKeeper zk;
    static Watcher watcher;

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.split(" ");
            String out;
            try {
                out = "ok" + run(w);
            } catch (KeeperException e) {
                out = "err " + e.code().name();
            } catch (IllegalArgumentException e) {
                out = "err CLIENT " + e.getMessage();
            } catch (TimeoutException e) {
                out = "err TIMEOUT";
            }
            System.out.println(out);
            System.out.flush();
        }
        for (Session c : sessions.values()) {
            if (c.zk != null) {
                c.zk.close();
            }
        }
    }

    static String run(String[] w) throws Exception {
        if (current == null) {
            use("a");
        }
        switch (w[0]) {
            case "use":
                use(w[1]);
                return "";
            case "connect":
                current.zk = zk = new ZooKeeper(w[1], Integer.parseInt(w[2]), watcher);
                awaitState(Watcher.Event.KeeperState.SyncConnected, CONNECT_MS);
                return " session=" + Long.toHexString(zk.getSessionId()) + " timeout=" + zk.getSessionTimeout();
            case "awaitState":
                awaitState(Watcher.Event.KeeperState.valueOf(w[1]), Long.parseLong(w[2]));
                return "";
            case "create":
                return " " + zk.create(w[1], data(w[2]), ZooDefs.Ids.OPEN_ACL_UNSAFE, mode(w[3]));
            case "create2": {
                Stat st = new Stat();
                long ttl = w.length > 4 ? Long.parseLong(w[4]) : -1;
                String p = zk.create(w[1], data(w[2]), ZooDefs.Ids.OPEN_ACL_UNSAFE, mode(w[3]), st, ttl);
                return " " + p + " " + stat(st);
            }
            case "get": {
                Stat st = new Stat();
                byte[] b = zk.getData(w[1], w.length > 2 ? watcher : null, st);
                return " " + text(b) + " " + stat(st);
            }
            case "set":
                return " " + stat(zk.setData(w[1], data(w[2]), Integer.parseInt(w[3])));
            case "delete":
                zk.delete(w[1], Integer.parseInt(w[2]));
                return "";
            case "children": {
                Stat st = new Stat();
                List<String> c = zk.getChildren(w[1], w.length > 2 ? watcher : null, st);
                return " " + String.join(",", new TreeSet<>(c)) + " " + stat(st);
            }
            case "addWatch":
                zk.addWatch(w[1], watcher, w[2].equals("recursive") ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT);
                return "";
            case "removeWatches":
                zk.removeWatches(w[1], watcher, Watcher.WatcherType.valueOf(w[2]), false);
                return "";
            case "removeAllWatches":
                zk.removeAllWatches(w[1], Watcher.WatcherType.valueOf(w[2]), false);
                return "";
            case "whoami": {
                List<String> ids = new ArrayList<>();
                for (ClientInfo c : zk.whoAmI()) {
                    ids.add(c.getAuthScheme() + ":" + c.getUser());
                }
                return " " + String.join(",", new TreeSet<>(ids));
            }
            case "auth":
                zk.addAuthInfo(w[1], w[2].getBytes(StandardCharsets.UTF_8));
                return "";
            case "ephemerals":
                return " " + String.join(",", new TreeSet<>(zk.getEphemerals(w[1])));
            case "allChildren":
                return " " + zk.getAllChildrenNumber(w[1]);
            case "multiRead":
                return " " + multiRead(w);
            case "events":
                return " " + events(Integer.parseInt(w[1]), Long.parseLong(w[2]));
            case "close":
                zk.close();
                current.zk = zk = null;
                return "";
            default:
                throw new IllegalArgumentException("unknown command " + w[0]);
        }
    }

    static String multiRead(String[] w) throws Exception {
        List<Op> ops = new ArrayList<>();
        for (int i = 1; i < w.length; i++) {
            String[] kp = w[i].split(":", 2);
            ops.add(kp[0].equals("children") ? Op.getChildren(kp[1]) : Op.getData(kp[1]));
        }
        List<String> out = new ArrayList<>();
        for (OpResult r : zk.multi(ops)) {
            if (r instanceof OpResult.GetChildrenResult) {
                out.add("children=" + String.join(",", new TreeSet<>(((OpResult.GetChildrenResult) r).getChildren())));
            } else if (r instanceof OpResult.GetDataResult) {
                OpResult.GetDataResult d = (OpResult.GetDataResult) r;
                out.add("data=" + text(d.getData()) + " " + stat(d.getStat()));
            } else if (r instanceof OpResult.ErrorResult) {
                out.add("error=" + KeeperException.Code.get(((OpResult.ErrorResult) r).getErr()).name());
            } else {
                out.add("unexpected=" + r.getClass().getSimpleName());
            }
        }
        return String.join(";", out);
    }

    static void use(String name) {
        current = sessions.computeIfAbsent(name, n -> new Session());
        zk = current.zk;
        watcher = current.watcher;
    }

    static void awaitState(Watcher.Event.KeeperState want, long ms) throws InterruptedException, TimeoutException {
        long deadline = System.currentTimeMillis() + ms;
        for (;;) {
            Watcher.Event.KeeperState s = current.states.poll(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (s == null) {
                throw new TimeoutException();
            }
            if (s == want) {
                return;
            }
        }
    }

    static String events(int n, long ms) throws InterruptedException {
        List<String> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + ms;
        while (out.size() < n) {
            WatchedEvent e = current.events.poll(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (e == null) {
                break;
            }
            out.add(e.getType().name() + ":" + e.getPath());
        }
        for (WatchedEvent e; (e = current.events.poll()) != null; ) {
            out.add(e.getType().name() + ":" + e.getPath());
        }
        return String.join(",", out);
    }

    static CreateMode mode(String m) {
        switch (m) {
            case "persistent": return CreateMode.PERSISTENT;
            case "persistent-sequential": return CreateMode.PERSISTENT_SEQUENTIAL;
            case "ephemeral": return CreateMode.EPHEMERAL;
            case "ephemeral-sequential": return CreateMode.EPHEMERAL_SEQUENTIAL;
            case "container": return CreateMode.CONTAINER;
            case "ttl": return CreateMode.PERSISTENT_WITH_TTL;
            case "ttl-sequential": return CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
            default: throw new IllegalArgumentException("unknown mode " + m);
        }
    }

    static byte[] data(String s) {
        return s.equals("-") ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return b == null || b.length == 0 ? "-" : new String(b, StandardCharsets.UTF_8);
    }

    static String stat(Stat s) {
        return String.format("czxid=%d mzxid=%d ctime=%d mtime=%d version=%d cversion=%d aversion=%d owner=%d len=%d children=%d pzxid=%d",
                s.getCzxid(), s.getMzxid(), s.getCtime(), s.getMtime(), s.getVersion(), s.getCversion(),
                s.getAversion(), s.getEphemeralOwner(), s.getDataLength(), s.getNumChildren(), s.getPzxid());
    }
}
