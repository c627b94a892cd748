package zkcompat

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

// client is one go-zookeeper session whose network the test controls.
type client struct {
	*zk.Conn
	net    *clientNet
	states chan zk.State // every session state the client reports, in order
	events chan zk.Event // every watch event the server sends, in order
}

// connectOpts are the knobs of connect.
type connectOpts struct {
	timeout time.Duration // requested session timeout; 4 s when zero
	members []int         // members the client may use; all when empty
}

// connect opens a session to tg and waits until it is established; the
// session is closed when t ends.
func (tg *target) connect(t *testing.T, o connectOpts) *client {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 4 * time.Second
	}
	servers := tg.servers
	if len(o.members) > 0 {
		servers = nil
		for _, m := range o.members {
			servers = append(servers, tg.servers[m])
		}
	}
	c := &client{net: newClientNet(), states: make(chan zk.State, 1024), events: make(chan zk.Event, 1024)}
	conn, events, err := zk.Connect(servers, o.timeout,
		zk.WithDialer(c.net.dial), zk.WithLogger(quiet{}), zk.WithLogInfo(false),
		zk.WithEventCallback(func(ev zk.Event) {
			// a test that reads these reads them long before 1024 pile up
			switch ev.Type {
			case zk.EventSession:
				select {
				case c.states <- ev.State:
				default:
				}
			case zk.EventNotWatching:
			default:
				select {
				case c.events <- ev:
				default:
				}
			}
		}))
	if err != nil {
		t.Fatalf("zk connect %v: %v", servers, err)
	}
	c.Conn = conn
	t.Cleanup(func() {
		c.net.heal()
		c.Close()
		// the event channel closes once the client's goroutines are done
		for range events {
		}
	})
	c.waitState(t, zk.StateHasSession, 20*time.Second)
	return c
}

// waitState waits until the client reports state.
func (c *client) waitState(t *testing.T, want zk.State, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	var seen []zk.State
	for {
		select {
		case s := <-c.states:
			if s == want {
				return
			}
			seen = append(seen, s)
		case <-deadline:
			t.Fatalf("session state %v not reached within %v (saw %v)", want, timeout, seen)
		}
	}
}

// drainEvents forgets the watch events received so far.
func (c *client) drainEvents() {
	for {
		select {
		case <-c.events:
		default:
			return
		}
	}
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

// clientNet is a client's network: it can drop the client's connections and
// refuse new ones, to some members or to all, as a crashed client, a client
// cut off from a member, or a member that went away would look.
type clientNet struct {
	mu    sync.Mutex // protects the fields below
	cut   map[string]bool
	all   bool                // refuse every address
	conns map[net.Conn]string // open connections and the address they go to
}

func newClientNet() *clientNet {
	return &clientNet{cut: map[string]bool{}, conns: map[net.Conn]string{}}
}

var errCut = errors.New("zkcompat: network cut by the test")

func (n *clientNet) dial(network, addr string, timeout time.Duration) (net.Conn, error) {
	n.mu.Lock()
	refused := n.all || n.cut[addr]
	n.mu.Unlock()
	if refused {
		return nil, fmt.Errorf("dial %s: %w", addr, errCut)
	}
	c, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.all || n.cut[addr] { // cut while dialling
		c.Close()
		return nil, fmt.Errorf("dial %s: %w", addr, errCut)
	}
	n.conns[c] = addr
	return &trackedConn{Conn: c, net: n}, nil
}

// cutOff closes the client's connections to addrs (every address when none
// is given) and refuses new ones until heal.
func (n *clientNet) cutOff(addrs ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(addrs) == 0 {
		n.all = true
	}
	for _, a := range addrs {
		n.cut[a] = true
	}
	for c, a := range n.conns {
		if n.all || slices.Contains(addrs, a) {
			c.Close()
			delete(n.conns, c)
		}
	}
}

// heal ends every cut.
func (n *clientNet) heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = false
	clear(n.cut)
}

// trackedConn forgets itself when the client closes it.
type trackedConn struct {
	net.Conn
	net *clientNet
}

func (c *trackedConn) Close() error {
	c.net.mu.Lock()
	delete(c.net.conns, c.Conn)
	c.net.mu.Unlock()
	return c.Conn.Close()
}

// waitSession succeeds once addr establishes a ZooKeeper session.
func waitSession(addr string, timeout time.Duration) error {
	conn, events, err := zk.Connect([]string{addr}, 4*time.Second, zk.WithLogger(quiet{}), zk.WithLogInfo(false))
	if err != nil {
		return err
	}
	defer func() {
		conn.Close()
		for range events {
		}
	}()
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no session within %v", timeout)
		}
	}
}

// recv waits for a watch event on ch.
func recv(t *testing.T, ch <-chan zk.Event, timeout time.Duration) zk.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("watch channel closed without an event")
		}
		return ev
	case <-time.After(timeout):
		t.Fatalf("no watch event within %v", timeout)
		return zk.Event{}
	}
}

// quietFor checks that ch delivers nothing for d.
func quietFor(t *testing.T, ch <-chan zk.Event, d time.Duration) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("unexpected watch event %+v", ev)
	case <-time.After(d):
	}
}

// codeOf names a go-zookeeper error by ZooKeeper's error code name, so
// results read like the protocol's ("NONODE", "BADVERSION"); nil is "OK".
func codeOf(err error) string {
	for _, e := range []struct {
		err  error
		code string
	}{
		{nil, "OK"},
		{zk.ErrNoNode, "NONODE"},
		{zk.ErrNodeExists, "NODEEXISTS"},
		{zk.ErrBadVersion, "BADVERSION"},
		{zk.ErrNotEmpty, "NOTEMPTY"},
		{zk.ErrNoChildrenForEphemerals, "NOCHILDRENFOREPHEMERALS"},
		{zk.ErrNoAuth, "NOAUTH"},
		{zk.ErrInvalidACL, "INVALIDACL"},
		{zk.ErrBadArguments, "BADARGUMENTS"},
		{zk.ErrAuthFailed, "AUTHFAILED"},
		{zk.ErrSessionExpired, "SESSIONEXPIRED"},
		{zk.ErrAPIError, "APIERROR"},
		{zk.ErrReconfigDisabled, "RECONFIGDISABLED"},
		{zk.ErrInvalidPath, "CLIENT-INVALIDPATH"},
	} {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	// codes go-zookeeper has no error value for come as "unknown error: <code>"
	var code int32
	if _, scan := fmt.Sscanf(err.Error(), "unknown error: %d", &code); scan == nil {
		if name, ok := codeNames[code]; ok {
			return name
		}
		return fmt.Sprintf("CODE%d", code)
	}
	return err.Error()
}

// codeNames are ZooKeeper's codes that go-zookeeper has no error value for.
var codeNames = map[int32]string{
	-1: "SYSTEMERROR", -2: "RUNTIMEINCONSISTENCY", -3: "DATAINCONSISTENCY", -4: "CONNECTIONLOSS",
	-5: "MARSHALLINGERROR", -6: "UNIMPLEMENTED", -7: "OPERATIONTIMEOUT", -9: "INVALIDSTATE",
	-113: "INVALIDCALLBACK", -119: "NEWCONFIGNOQUORUM", -120: "RECONFIGINPROGRESS", -121: "EPHEMERALONLOCALSESSION",
	-122: "NOWATCHER", -124: "SESSIONCLOSEDREQUIRESASLAUTH", -125: "QUOTAEXCEEDED",
	-127: "THROTTLEDOP",
}
