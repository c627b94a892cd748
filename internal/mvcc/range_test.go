package mvcc

import (
	"errors"
	"slices"
	"testing"
)

func TestRange(t *testing.T) {
	s := scripted(t)
	all := []string{"a", "b", "c", "e", "foo", "foo/bar"}
	tests := []struct {
		name     string
		key, end string
		o        RangeOptions
		want     []string
		count    int64
		more     bool
	}{
		{name: "one key", key: "a", want: []string{"a"}, count: 1},
		{name: "missing key", key: "zz", want: []string{}, count: 0},
		{name: "half-open range", key: "b", end: "e", want: []string{"b", "c"}, count: 2},
		{name: "prefix", key: "foo", end: "fop", want: []string{"foo", "foo/bar"}, count: 2},
		{name: "from key", key: "c", end: "\x00", want: []string{"c", "e", "foo", "foo/bar"}, count: 4},
		{name: "all keys", key: "\x00", end: "\x00", want: all, count: 6},
		{name: "all keys from empty", key: "", end: "\x00", want: all, count: 6},
		{name: "end before key", key: "e", end: "b", want: []string{}, count: 0},
		{name: "end equals key", key: "e", end: "e", want: []string{}, count: 0},
		{name: "limit", key: "\x00", end: "\x00", o: RangeOptions{Limit: 2}, want: []string{"a", "b"}, count: 6, more: true},
		{name: "limit equals count", key: "\x00", end: "\x00", o: RangeOptions{Limit: 6}, want: all, count: 6},
		{name: "limit above count", key: "\x00", end: "\x00", o: RangeOptions{Limit: 10}, want: all, count: 6},
		{name: "old revision", key: "\x00", end: "\x00", o: RangeOptions{Rev: 5}, want: []string{"a", "b", "c"}, count: 3},
		{name: "revision of a delete", key: "\x00", end: "\x00", o: RangeOptions{Rev: 6}, want: []string{"a", "c"}, count: 2},
		{name: "revision 1 is empty", key: "\x00", end: "\x00", o: RangeOptions{Rev: 1}, want: []string{}, count: 0},
		{name: "key ascend", key: "\x00", end: "\x00", o: RangeOptions{Sort: SortAscend}, want: all, count: 6},
		{name: "key descend", key: "\x00", end: "\x00", o: RangeOptions{Sort: SortDescend},
			want: []string{"foo/bar", "foo", "e", "c", "b", "a"}, count: 6},
		{name: "version, order none means ascend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByVersion},
			want: []string{"b", "c", "e", "foo", "foo/bar", "a"}, count: 6},
		{name: "version ascend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByVersion, Sort: SortAscend},
			want: []string{"b", "c", "e", "foo", "foo/bar", "a"}, count: 6},
		{name: "version descend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByVersion, Sort: SortDescend},
			want: []string{"a", "b", "c", "e", "foo", "foo/bar"}, count: 6},
		{name: "create ascend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByCreate, Sort: SortAscend},
			want: []string{"a", "c", "b", "e", "foo", "foo/bar"}, count: 6},
		{name: "create descend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByCreate, Sort: SortDescend},
			want: []string{"foo/bar", "e", "foo", "b", "c", "a"}, count: 6},
		{name: "mod ascend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByMod, Sort: SortAscend},
			want: []string{"c", "b", "e", "foo", "foo/bar", "a"}, count: 6},
		{name: "mod descend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByMod, Sort: SortDescend},
			want: []string{"a", "foo/bar", "e", "foo", "b", "c"}, count: 6},
		{name: "value ascend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByValue, Sort: SortAscend},
			want: []string{"a", "c", "b", "foo", "foo/bar", "e"}, count: 6},
		{name: "value descend", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByValue, Sort: SortDescend},
			want: []string{"e", "foo/bar", "foo", "b", "c", "a"}, count: 6},
		{name: "sorted then limited", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByValue, Sort: SortDescend, Limit: 2},
			want: []string{"e", "foo/bar"}, count: 6, more: true},
		{name: "keys only sorted by value", key: "\x00", end: "\x00", o: RangeOptions{SortBy: SortByValue, KeysOnly: true},
			want: []string{"a", "c", "b", "foo", "foo/bar", "e"}, count: 6},
		{name: "count only ignores limit", key: "\x00", end: "\x00", o: RangeOptions{CountOnly: true, Limit: 1}, want: []string{}, count: 6},
		{name: "count only at revision", key: "\x00", end: "\x00", o: RangeOptions{CountOnly: true, Rev: 4}, want: []string{}, count: 3},
		{name: "min mod", key: "\x00", end: "\x00", o: RangeOptions{MinModRev: 8}, want: []string{"a", "e", "foo", "foo/bar"}, count: 6},
		{name: "max mod", key: "\x00", end: "\x00", o: RangeOptions{MaxModRev: 7}, want: []string{"b", "c"}, count: 6},
		{name: "min create", key: "\x00", end: "\x00", o: RangeOptions{MinCreateRev: 7}, want: []string{"b", "e", "foo", "foo/bar"}, count: 6},
		{name: "max create", key: "\x00", end: "\x00", o: RangeOptions{MaxCreateRev: 4}, want: []string{"a", "c"}, count: 6},
		{name: "mod window", key: "\x00", end: "\x00", o: RangeOptions{MinModRev: 8, MaxModRev: 8}, want: []string{"e", "foo"}, count: 6},
		{name: "filter then limit", key: "\x00", end: "\x00", o: RangeOptions{MinModRev: 8, Limit: 2}, want: []string{"a", "e"}, count: 6, more: true},
		{name: "filter exactly at limit", key: "\x00", end: "\x00", o: RangeOptions{MaxCreateRev: 4, Limit: 2}, want: []string{"a", "c"}, count: 6},
		{name: "filter at old revision", key: "\x00", end: "\x00", o: RangeOptions{Rev: 9, MinModRev: 9}, want: []string{"foo/bar"}, count: 6},
		{name: "filter and sort", key: "\x00", end: "\x00", o: RangeOptions{MinCreateRev: 7, SortBy: SortByMod, Sort: SortDescend},
			want: []string{"foo/bar", "e", "foo", "b"}, count: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var end []byte
			if tt.end != "" {
				end = []byte(tt.end)
			}
			res, err := s.Range([]byte(tt.key), end, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := keysOf(res.KVs); !slices.Equal(got, tt.want) {
				t.Errorf("keys = %q, want %q", got, tt.want)
			}
			if res.Count != tt.count || res.More != tt.more || res.Rev != 10 {
				t.Errorf("count, more, rev = %d, %v, %d; want %d, %v, 10", res.Count, res.More, res.Rev, tt.count, tt.more)
			}
			for _, kv := range res.KVs {
				if tt.o.KeysOnly != (kv.Value == nil) {
					t.Errorf("key %q: value %q with KeysOnly %v", kv.Key, kv.Value, tt.o.KeysOnly)
				}
			}
		})
	}
}

func TestRangeFields(t *testing.T) {
	s := scripted(t)
	tests := []struct {
		key                         string
		rev                         int64
		create, mod, version, lease int64
		value                       string
	}{
		{key: "a", create: 2, mod: 10, version: 3, value: "0"},
		{key: "a", rev: 5, create: 2, mod: 5, version: 2, value: "444"},
		{key: "a", rev: 2, create: 2, mod: 2, version: 1, value: "1"},
		{key: "b", create: 7, mod: 7, version: 1, value: "5"},
		{key: "b", rev: 5, create: 3, mod: 3, version: 1, value: "22"},
		{key: "c", create: 4, mod: 4, version: 1, value: "3", lease: 7},
		{key: "foo", rev: 8, create: 8, mod: 8, version: 1, value: "x"},
	}
	for _, tt := range tests {
		kv := get(t, s, tt.key, tt.rev)
		if kv == nil {
			t.Fatalf("%s@%d missing", tt.key, tt.rev)
		}
		if kv.CreateRevision != tt.create || kv.ModRevision != tt.mod || kv.Version != tt.version ||
			kv.Lease != tt.lease || string(kv.Value) != tt.value {
			t.Errorf("%s@%d = %+v, want create %d mod %d version %d lease %d value %q",
				tt.key, tt.rev, kv, tt.create, tt.mod, tt.version, tt.lease, tt.value)
		}
	}
	if kv := get(t, s, "b", 6); kv != nil {
		t.Errorf("b@6 = %+v, want deleted", kv)
	}
}

func TestRangeRevisionErrors(t *testing.T) {
	s := scripted(t)
	if _, err := s.Range([]byte("a"), nil, RangeOptions{Rev: 11}); !errors.Is(err, ErrFutureRev) {
		t.Errorf("rev 11 err = %v, want ErrFutureRev", err)
	}
	if err := s.Compact(5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Range([]byte("a"), nil, RangeOptions{Rev: 4}); !errors.Is(err, ErrCompacted) {
		t.Errorf("rev 4 err = %v, want ErrCompacted", err)
	}
	if kv := get(t, s, "a", 5); kv == nil || string(kv.Value) != "444" {
		t.Errorf("a@5 after compacting at 5 = %+v, want 444", kv)
	}
}
