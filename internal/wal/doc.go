// Package wal is the write-ahead log of a Concord member: the raft hard state, log entries
// and snapshot markers, made durable before raft may act on them, and read back on restart to
// rebuild raft's MemoryStorage.
//
// # Use
//
// The raft Ready loop calls Save once per Ready with Ready.HardState and Ready.Entries: they
// go to disk in one write and become durable with one fdatasync (group commit), before the
// Ready's messages are sent. SaveSnapshot records that a snapshot file (written by another
// package) exists; ReleaseTo then deletes segments the snapshot makes unnecessary. On restart
// Open reads everything back: Snapshot, HardState and Entries return what it found.
//
// # Segments
//
// The log is a sequence of segment files in one directory, named
//
//	%016x-%016x.wal   (sequence number, index expected next when the segment was created)
//
// so that lexical order is log order. A segment is preallocated to Options.SegmentBytes with
// fallocate(2), so that appends inside it change no file size; the unused rest reads as zeros.
// Once a write leaves the segment at or past SegmentBytes, the next write starts a new segment
// (and syncs the directory). Every segment starts with a segment-header record, followed by a
// preamble repeating the newest snapshot marker and hard state, so that deleting older
// segments never loses them.
//
// # Records
//
// Each record is a frame that starts at a multiple of 8 bytes within its segment. Integers
// are little-endian and checksums are crc32 with the Castagnoli polynomial:
//
//	offset size
//	0      4    header checksum: crc32 of bytes 4-15
//	4      4    length n of the data
//	8      4    data checksum: crc32 of bytes 15 to 15+n, the type byte and the data
//	12     3    reserved, zero
//	15     1    type: 1 segment header, 2 entry, 3 hard state, 4 snapshot marker
//	16     n    data: the raftpb Marshal encoding; for a segment header, version(4) seq(8)
//	            first index(8)
//	16+n   p    zero padding, 0 <= p < 8, so that the frame is a multiple of 8 bytes
//
// The type byte is never zero, so zero-filled preallocated space never looks like a record.
// The header checksum lets the reader trust a record's length, and so the extent of its
// frame, before it reads the data.
//
// Worked example: HardState{Term: 2, Vote: 1, Commit: 5} marshals to the 6 bytes
// 08 02 10 01 18 05 (field 1 = 2, field 2 = 1, field 3 = 5), so its record is 24 bytes:
//
//	33 ee 21 4d   header checksum: crc32(06 00 00 00 14 dd 1a c8 00 00 00 03) = 0x4d21ee33
//	06 00 00 00   length 6
//	14 dd 1a c8   data checksum: crc32(03 08 02 10 01 18 05) = 0xc81add14
//	00 00 00      reserved
//	03            type: hard state
//	08 02 10 01   data
//	18 05
//	00 00         padding to 24 bytes
//
// Save writes its entries before its hard state, so a recovered commit index never covers
// entries that a torn write lost: if the hard state record survived, rule 2 below makes sure
// the records before it did too.
//
// # Recovery: torn tail or corruption
//
// Open reads each segment from offset 0 while records decode. Where one does not (its header
// checksum, reserved bytes or type are wrong, its frame runs past the end of the file, or its
// data checksum is wrong) at offset F, the bytes from F to the end of the file decide:
//
//  1. All zero (or none): the segment simply ends at F.
//  2. Otherwise, if a valid record starts at any 8-aligned offset after F, the log is corrupt:
//     Open fails with an error wrapping ErrCorrupt naming the file and F. Every write is whole
//     records at aligned offsets, so an acknowledged record after damage would be found there.
//     If the damaged record's header is valid, the bytes its frame claims are its own and
//     are not searched: an entry whose data happens to hold a record image is not mistaken
//     for a later record.
//  3. Otherwise, in the last segment, the bytes from F on are a torn tail: the remains of a
//     write whose sync never completed, which Save never acknowledged. Open truncates the
//     file at F, syncs it and logs the file, F and the number of bytes dropped.
//  4. Otherwise (not the last segment) the log is corrupt. A segment is finished only after a
//     successful sync, so only the last one can hold an unfinished write.
//
// So a record that fails its checksum at the very end of the log is dropped even if it was
// acknowledged and later damaged on disk: it is indistinguishable from a torn write. The
// converse error is also possible: if a crash persists a later sector of the final write but
// not an earlier one, rule 2 reports corruption although nothing acknowledged was lost. Open
// prefers a false alarm that needs an operator to silently discarding acknowledged entries.
//
// Records that decode but contradict the log (an unknown type, a missing segment header, a
// marker older than its predecessor, entries that do not continue the snapshot) are also
// reported as ErrCorrupt.
package wal
