package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
)

// TestCrashLoop starts the real binary, kills it with SIGKILL at random
// points, and after every kill checks what an operator relies on: every
// write the server acknowledged is in the store, Check passes, a demo load
// is complete or absent (never partial), and after the restart the search
// index catches up with the store. The first kills hit the first-start
// demo load; the rest hit bursts of writes through GraphQL.
//
// It takes about a minute, so it runs where LF_CRASH_TEST=1 (.ci/run sets
// it).
func TestCrashLoop(t *testing.T) {
	if os.Getenv("LF_CRASH_TEST") != "1" {
		t.Skip("the crash loop runs with LF_CRASH_TEST=1 (.ci/run sets it)")
	}
	const demoKills, writeKills = 5, 16
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	start := time.Now()
	acked := map[string]string{} // office ID -> name, acknowledged by the server

	verify := func(cycle int) {
		t.Helper()
		st, err := catalog.Open(storePath(dir), catalog.Options{ReadOnly: true})
		require.NoError(t, err, "cycle %d: the store opens after the kill", cycle)
		defer st.Close()
		require.NoError(t, st.Check(), "cycle %d", cycle)
		require.NoError(t, st.View(context.Background(), func(tx *catalog.Tx) error {
			state := demo.Inspect(tx)
			require.False(t, state.Incomplete, "cycle %d: a partial demo", cycle)
			services := tx.Count(catalog.KindService)
			if state.Complete {
				require.Equal(t, state.Summary.Services, services, "cycle %d", cycle)
			} else {
				require.Zero(t, services, "cycle %d: services without a complete demo", cycle)
			}
			for id, name := range acked {
				o, err := tx.Office(id)
				require.NoError(t, err, "cycle %d: acknowledged office %s lost", cycle, id)
				require.Equal(t, name, o.Name.String(), "cycle %d", cycle)
			}
			return nil
		}))
	}

	// Kills during the first start's demo load.
	cycles := 0
	for i := range demoKills {
		c := startChild(t, "serve", "-data", dir, "-addr", "127.0.0.1:0", "-log-level", "info")
		// The first kill may come before the load starts; the others
		// come at a random point of the load.
		if i > 0 {
			require.True(t, c.waitOutput("loading the built-in demo catalogue", time.Minute), c.output())
		}
		delay := time.Duration(rng.Int64N(int64(3 * time.Second)))
		select {
		case <-c.done:
			t.Fatalf("serve ended by itself:\n%s", c.output())
		case <-time.After(delay):
		}
		c.kill()
		cycles++
		verify(cycles)
		phase := loadPhase(c.output())
		t.Logf("cycle %d: killed %v into the first start (%s)", cycles, delay.Round(time.Millisecond), phase)
		if strings.Contains(c.output(), "demo catalogue loaded") {
			// The load finished before the kill (a fast machine): start the
			// next cycle from an empty data directory again, so that every
			// cycle of this phase is a first start.
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.MkdirAll(dir, 0o755))
		}
	}

	// A clean start completes the demo; then two editors for the writes.
	c := startChild(t, "serve", "-data", dir, "-addr", "127.0.0.1:0")
	require.NotEmpty(t, c.url(120*time.Second), c.output())
	c.kill()
	cycles++
	verify(cycles)
	var tokens []string
	for _, name := range []string{"Landesredaktion A", "Landesredaktion B"} {
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), []string{"editor", "add", "-data", dir, "-name", name, "-role", "STATE_EDITOR"}, &out, io.Discard))
		tokens = append(tokens, regexp.MustCompile(`lf_[A-Za-z0-9_-]+`).FindString(out.String()))
	}

	// Kills during bursts of writes.
	for i := range writeKills {
		c := startChild(t, "serve", "-data", dir, "-addr", "127.0.0.1:0")
		base := c.url(60 * time.Second)
		require.NotEmpty(t, base, c.output())
		waitCaughtUp(t, base)

		ctx, stop := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w, token := range tokens {
			wg.Go(func() {
				for n := 0; ctx.Err() == nil; n++ {
					name := fmt.Sprintf("Amt %d-%d-%d", i, w, n)
					if id := createOffice(ctx, base, token, name); id != "" {
						mu.Lock()
						acked[id] = name
						mu.Unlock()
					}
				}
			})
		}
		delay := time.Duration(50+rng.IntN(400)) * time.Millisecond
		<-time.After(delay)
		c.kill()
		stop()
		wg.Wait()
		cycles++
		verify(cycles)
		t.Logf("cycle %d: killed %v into a write burst; %d writes acknowledged so far", cycles, delay, len(acked))
	}

	// The last restart: the index catches up with everything.
	c = startChild(t, "serve", "-data", dir, "-addr", "127.0.0.1:0")
	base := c.url(60 * time.Second)
	require.NotEmpty(t, base, c.output())
	waitCaughtUp(t, base)
	require.GreaterOrEqual(t, cycles, 20)
	require.NotEmpty(t, acked, "writes were acknowledged")
	t.Logf("%d SIGKILL cycles, %d acknowledged writes, none lost, in %v", cycles, len(acked), time.Since(start).Round(time.Second))
}

// loadPhase says how far the demo load got, from the child's log.
func loadPhase(logs string) string {
	switch {
	case strings.Contains(logs, `"msg":"listening"`):
		return "it was serving"
	case strings.Contains(logs, "demo catalogue loaded"):
		return "after the demo load"
	case strings.Contains(logs, "demo: written"):
		return "during the demo load"
	}
	return "before the demo load"
}

var readyRE = regexp.MustCompile(`ready revision=(\d+) search=(\d+)`)

// waitCaughtUp polls /readyz until the search index has applied the
// store's last revision; it fails the test after a minute.
func waitCaughtUp(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	last := ""
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			if m := readyRE.FindStringSubmatch(last); resp.StatusCode == http.StatusOK && m != nil && m[1] == m[2] {
				return
			}
		}
		<-tick.C
	}
	t.Fatalf("the search index did not catch up: %q", last)
}

// createOffice creates an office and returns its ID when the server
// acknowledged the write, "" otherwise.
func createOffice(ctx context.Context, base, token, name string) string {
	body, _ := json.Marshal(map[string]any{
		"query": `mutation($input: OfficeInput!) { createOffice(input: $input) { id } }`,
		"variables": map[string]any{"input": map[string]any{"name": map[string]any{"de": name}, "kind": "MUNICIPALITY", "ars": "066360003003",
			"addresses": []any{map[string]any{"kind": "VISITOR", "street": "Obermarkt 22", "postalCode": "37269", "city": "Eschwege"}}}},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			CreateOffice struct{ ID string }
		}
		Errors []json.RawMessage
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || len(out.Errors) > 0 {
		return ""
	}
	return out.Data.CreateOffice.ID
}
