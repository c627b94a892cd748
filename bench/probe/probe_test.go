package probe

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{"plain", "1234 (etcd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0", 3250 * time.Millisecond, false},
		{"spaces and parens in name", "99 (a (b) c) R 1 99 99 0 -1 0 0 0 0 0 7 3 0 0", 100 * time.Millisecond, false},
		{"short", "1 (x) S 1 2", 0, true},
		{"no name", "garbage", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU(tc.stat)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseStatCPU = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseStatusKB(t *testing.T) {
	status := []byte("Name:\tetcd\nVmPeak:\t  100 kB\nVmHWM:\t   2048 kB\nVmRSS:\t 1024 kB\n")
	if got, err := parseStatusKB(status, "VmHWM:"); err != nil || got != 2048*1024 {
		t.Fatalf("VmHWM = %d, %v", got, err)
	}
	if _, err := parseStatusKB(status, "VmSwap:"); err == nil {
		t.Fatal("missing line: no error")
	}
}

func TestSelf(t *testing.T) {
	pid := os.Getpid()
	if _, err := CPUTime(pid); err != nil {
		t.Fatal(err)
	}
	if rss, err := PeakRSS(pid); err != nil || rss <= 0 {
		t.Fatalf("PeakRSS = %d, %v", rss, err)
	}
	if err := ResetPeakRSS(pid); err != nil {
		t.Logf("ResetPeakRSS: %v (needs permission; the runner reports peak since start then)", err)
	}
	if _, _, err := FsyncFloor(t.TempDir(), 20); err != nil {
		t.Fatal(err)
	}
	if _, err := LoopbackRTT(100); err != nil {
		t.Fatal(err)
	}
	if m := Describe(t.TempDir()); m.CPUs < 1 {
		t.Fatalf("Describe = %+v", m)
	}
}

func TestParseMachineBusy(t *testing.T) {
	got, err := parseMachineBusy("cpu  100 5 50 9000 20 3 2 40 0 0")
	if want := 200 * 10 * time.Millisecond; err != nil || got != want {
		t.Fatalf("parseMachineBusy = %v, %v; want %v", got, err, want)
	}
	if _, err := parseMachineBusy("intr 1 2 3"); err == nil {
		t.Fatal("wrong line: no error")
	}
}
