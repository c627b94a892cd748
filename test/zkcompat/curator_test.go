package zkcompat

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCurator runs Apache Curator's recipes (Debian's 5.4 jars) against
// one target: the seed's InterProcessMutex, LeaderLatch on the seed's
// election path, and ServiceDiscovery of order-service with a
// ServiceCache. testdata/Recipes.java prints what it found; the lines are
// compared here.
func TestCurator(t *testing.T) {
	classpath := compileJava(t, "Recipes.java")
	tg := startTarget(t)
	for _, tc := range []struct {
		recipe string
		want   []string
	}{
		{"mutex", []string{
			"mutex clients=5 rounds=5 counter=25 znode=25 overlaps=0 lock-children=0",
		}},
		{"latch", []string{
			"latch leaders=1 agreed=true participants=3",
			"latch takeover leaders=1 changed=true participants=2",
		}},
		{"discovery", []string{
			"discovery names=order-service",
			"discovery registered query=order-1@10.0.0.1:8081,order-2@10.0.0.2:8082,order-3@10.0.0.3:8083",
			"discovery registered cache=order-1@10.0.0.1:8081,order-2@10.0.0.2:8082,order-3@10.0.0.3:8083",
			"discovery unregistered query=order-1@10.0.0.1:8081,order-3@10.0.0.3:8083",
			"discovery unregistered cache=order-1@10.0.0.1:8081,order-3@10.0.0.3:8083",
			"discovery session-closed query=order-1@10.0.0.1:8081",
			"discovery session-closed cache=order-1@10.0.0.1:8081",
			"discovery znodes=order-1",
		}},
	} {
		t.Run(tc.recipe, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := javaCommand(ctx, classpath, "Recipes", strings.Join(tg.servers, ","), tc.recipe)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			t.Logf("java Recipes %s (JVM start included) took %v", tc.recipe, time.Since(start).Round(time.Millisecond))
			got := strings.Split(strings.TrimSpace(string(out)), "\n")
			if want := slices.Concat(tc.want, []string{"done"}); err != nil || !slices.Equal(got, want) {
				t.Fatalf("Recipes %s: %v\ngot:\n%s\nwant:\n%s", tc.recipe, err, out, strings.Join(want, "\n"))
			}
		})
	}
}
