package jute

// StatLen is the encoded size of a Stat.
const StatLen = 68

// Stat is a znode's metadata as clients see it (org.apache.zookeeper.data.Stat).
type Stat struct {
	Czxid          int64 // zxid of the create
	Mzxid          int64 // zxid of the last data change
	Ctime          int64 // create time, ms since the epoch
	Mtime          int64 // last data change time, ms since the epoch
	Version        int32 // number of data changes
	Cversion       int32 // number of child changes
	Aversion       int32 // number of ACL changes
	EphemeralOwner int64 // owning session for an ephemeral node, else 0
	DataLength     int32
	NumChildren    int32
	Pzxid          int64 // zxid of the last child change
}

// Append implements Record.
func (s *Stat) Append(b []byte) []byte {
	b = appendInt64(b, s.Czxid)
	b = appendInt64(b, s.Mzxid)
	b = appendInt64(b, s.Ctime)
	b = appendInt64(b, s.Mtime)
	b = appendInt32(b, s.Version)
	b = appendInt32(b, s.Cversion)
	b = appendInt32(b, s.Aversion)
	b = appendInt64(b, s.EphemeralOwner)
	b = appendInt32(b, s.DataLength)
	b = appendInt32(b, s.NumChildren)
	return appendInt64(b, s.Pzxid)
}

func (s *Stat) decode(d *decoder) {
	s.Czxid = d.int64("czxid")
	s.Mzxid = d.int64("mzxid")
	s.Ctime = d.int64("ctime")
	s.Mtime = d.int64("mtime")
	s.Version = d.int32("version")
	s.Cversion = d.int32("cversion")
	s.Aversion = d.int32("aversion")
	s.EphemeralOwner = d.int64("ephemeralOwner")
	s.DataLength = d.int32("dataLength")
	s.NumChildren = d.int32("numChildren")
	s.Pzxid = d.int64("pzxid")
}
