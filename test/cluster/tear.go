package cluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/concordkv/concord/internal/wal"
)

// TearWALTail leaves in a stopped member's newest WAL segment what a write
// that was in flight at a crash leaves: bytes of a record that never
// reached the disk whole, just past the last valid record. Half the time
// they are the first half of a copy of the last record (a record header
// promising more than follows), otherwise random bytes. On restart the WAL
// must find the damage, truncate it and start; it returns what it wrote
// where.
//
// It never touches a valid record. A record that decodes was written and
// fsynced before the member acknowledged anything that depended on it
// (raft persists before it sends), so removing one would be data loss that
// raft's durability assumption excludes, not a crash it must survive: a
// member that forgot a vote or an acknowledged entry may legitimately
// break safety. Only the unsynced tail is fair game.
func TearWALTail(dataDir string, rng *rand.Rand) (Tear, error) {
	segs, err := filepath.Glob(filepath.Join(dataDir, "member", "wal", "*.wal"))
	if err != nil || len(segs) == 0 {
		return Tear{}, fmt.Errorf("tear WAL of %s: no segment (%v)", dataDir, err)
	}
	sort.Strings(segs)
	seg := segs[len(segs)-1]
	recs, end, err := wal.Inspect(seg)
	if err != nil {
		return Tear{}, err
	}
	if len(recs) == 0 {
		return Tear{}, errors.New("tear WAL: " + seg + " has no valid record")
	}
	b, what, err := tornBytes(seg, recs[len(recs)-1], rng)
	if err != nil {
		return Tear{}, err
	}
	f, err := os.OpenFile(seg, os.O_WRONLY, 0)
	if err != nil {
		return Tear{}, fmt.Errorf("tear WAL: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, int64(end)); err != nil {
		return Tear{}, fmt.Errorf("tear WAL: write %s: %w", seg, err)
	}
	if err := f.Sync(); err != nil {
		return Tear{}, fmt.Errorf("tear WAL: sync %s: %w", seg, err)
	}
	return Tear{Segment: seg, Offset: end, Size: len(b), Kind: what}, nil
}

// Tear says where TearWALTail wrote which bytes.
type Tear struct {
	Segment string // path of the WAL segment
	Offset  int    // where the torn bytes start: just past the last valid record
	Size    int    // how many bytes were written
	Kind    string // "half a record" or "garbage"
}

func (t Tear) String() string {
	return fmt.Sprintf("%d bytes (%s) at offset %d of %s", t.Size, t.Kind, t.Offset, filepath.Base(t.Segment))
}

// tornBytes returns the bytes of a torn write: half of a copy of last, the
// segment's last valid record, or random garbage. Both start with a
// non-zero byte, so the WAL cannot mistake them for preallocated space.
func tornBytes(seg string, last wal.RecordInfo, rng *rand.Rand) ([]byte, string, error) {
	if rng.IntN(2) == 0 && last.Size >= 2 {
		f, err := os.Open(seg)
		if err != nil {
			return nil, "", fmt.Errorf("tear WAL: %w", err)
		}
		defer f.Close()
		b := make([]byte, last.Size/2)
		if _, err := f.ReadAt(b, int64(last.Offset)); err != nil {
			return nil, "", fmt.Errorf("tear WAL: read %s: %w", seg, err)
		}
		if b[0] != 0 {
			return b, "half a record", nil
		}
	}
	b := make([]byte, 1+rng.IntN(512))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	b[0] |= 1
	return b, "garbage", nil
}
