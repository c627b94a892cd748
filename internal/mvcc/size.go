package mvcc

// recordOverhead approximates the bytes a record costs beside its value:
// five int64 fields and a slice header.
const recordOverhead = 64

// Bytes approximates the memory the view's data takes: every key once and,
// per retained version, its value and a fixed overhead. It walks the whole
// view, so it suits status reports, not hot paths.
func (v *View) Bytes() int64 {
	var n int64
	v.tree.Ascend(func(it keyItem) bool {
		n += int64(len(it.key))
		for i := range it.recs {
			n += int64(len(it.recs[i].value)) + recordOverhead
		}
		return true
	})
	return n
}
