package snap

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/raft/v3/raftpb"
)

func snapshot(term, index uint64, data string) raftpb.Snapshot {
	return raftpb.Snapshot{Data: []byte(data), Metadata: raftpb.SnapshotMetadata{Term: term, Index: index, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}}
}

func TestSaveLoadPurge(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 5; i++ {
		if err := d.Save(snapshot(2, i*10, "state")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Load(2, 50)
	if err != nil || string(got.Data) != "state" || len(got.Metadata.ConfState.Voters) != 3 {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	if _, err := d.Load(2, 10); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("old snapshot not purged: %v", err)
	}
	names, _ := d.names()
	if len(names) != keepFiles {
		t.Fatalf("kept %d files, want %d", len(names), keepFiles)
	}
}

func TestLoadCorrupt(t *testing.T) {
	dir := t.TempDir()
	d, _ := Open(dir)
	if err := d.Save(snapshot(1, 7, "hello world")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fileName(1, 7))
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Load(1, 7); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Load of a flipped byte = %v, want ErrCorrupt", err)
	}
}

// TestConcurrentSaves saves from two goroutines at once, as the raft
// goroutine (a snapshot received from the leader) and the snapshot writer
// (the member's own) do: every save succeeds and the newest files are
// kept. Before saves took turns, one purge removed a file the other was
// about to remove and failed the member (found by test/chaos).
func TestConcurrentSaves(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for g := range uint64(2) {
		go func() {
			for i := uint64(1); i <= 50; i++ {
				if err := d.Save(snapshot(1, 2*i+g, "x")); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	names, err := d.names()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != keepFiles || names[0] != fileName(1, 101) {
		t.Fatalf("kept %v, want the newest %d ending with %s", names, keepFiles, fileName(1, 101))
	}
}
