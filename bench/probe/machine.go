package probe

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPUs     int    `json:"cpus"`      // online CPUs (nproc)
	Model    string `json:"cpu_model"` // model name from /proc/cpuinfo
	MemBytes int64  `json:"mem_bytes"` // MemTotal
	Kernel   string `json:"kernel"`
	DataFS   string `json:"data_fs"` // file system type of the data directory
}

// Describe returns the machine's description, with the file system that
// holds dataDir.
func Describe(dataDir string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Model: "unknown", DataFS: fsType(dataDir)}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemBytes, _ = parseStatusKB(b, "MemTotal:")
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	return m
}

// fsType names the file system type of dir, from the statfs magic number.
func fsType(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	switch st.Type {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs (fsync is free: durable-write figures are meaningless)"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlayfs"
	}
	return "other"
}
