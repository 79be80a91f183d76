package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// olderDemoStore turns the demo store in dir into one as a release before
// the life-situation taxonomy left it: no situations, no service assigned
// to any, a completion mark that counts none and no record of what the demo
// seeded (the marks' names and format as catalog/demo writes them).
func olderDemoStore(t *testing.T, dir string) {
	t.Helper()
	st, err := catalog.Open(storePath(dir), catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	defer st.Close()
	old := catalog.Write{Actor: "demo", Reason: "demo catalogue"}
	require.NoError(t, st.Update(context.Background(), func(tx *catalog.Tx) error {
		svcs, err := tx.AllServices()
		if err != nil {
			return err
		}
		for _, s := range svcs {
			if len(s.LifeSituationIDs) > 0 {
				s.LifeSituationIDs = nil
				if err := tx.Put(s, old); err != nil {
					return err
				}
			}
		}
		all, err := tx.LifeSituations()
		if err != nil {
			return err
		}
		for i := len(all) - 1; i >= 0; i-- { // children before their parents
			if err := tx.Delete(catalog.KindLifeSituation, all[i].ID, old); err != nil {
				return err
			}
		}
		var mark struct {
			Portal  string         `json:"portal"`
			Summary map[string]any `json:"summary"`
		}
		if err := json.Unmarshal(tx.Mark("demo"), &mark); err != nil {
			return err
		}
		delete(mark.Summary, "LifeSituations")
		b, err := json.Marshal(mark)
		if err != nil {
			return err
		}
		if err := tx.SetMark("demo", b); err != nil {
			return err
		}
		return tx.SetMark("demo-life-situations", []byte{})
	}))
}

// An operator upgrading from a release without life situations starts the
// server on the old data directory: the taxonomy and the assignments are
// there, the start says so in one line, and the portal search finds the
// services of a life situation.
func TestServeUpgradesAnOlderStoresLifeSituations(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo catalogue")
	}
	dir := t.TempDir()
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	require.NoError(t, s.Close())
	olderDemoStore(t, dir)

	const retirement = "HE.LL.0000000014" // "Ruhestand und Rente", 14th in life-situations.json
	search := `query($s: [ID!]) { search(query: "Rente", filter: {lifeSituations: $s}) { totalCount hits { service { leikaKeys } } } }`

	var logs bytes.Buffer
	s = &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(&logs, "info")}
	require.NoError(t, s.Open(context.Background()))
	assert.Contains(t, logs.String(), `"msg":"demo: life situations brought up to date","situationsAdded":38`)

	data, code, _, msg := gql(t, s.URL(), "", `{ lifeSituations { id } }`, nil)
	require.Empty(t, code, msg)
	assert.Len(t, data["lifeSituations"], 38)
	data, code, _, msg = gql(t, s.URL(), "", search, map[string]any{"s": []string{retirement}})
	require.Empty(t, code, msg)
	res := data["search"].(map[string]any)
	assert.Greater(t, res["totalCount"].(float64), 3.0, "the services of the situation are found")
	var keys []any
	for _, h := range res["hits"].([]any) {
		keys = append(keys, h.(map[string]any)["service"].(map[string]any)["leikaKeys"].([]any)...)
	}
	assert.Contains(t, keys, "99114045017001", "Regelaltersrente, assigned by its name")

	// A second start changes nothing.
	rev := s.Store.Revision()
	require.NoError(t, s.Close())
	logs.Reset()
	s = &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(&logs, "info")}
	require.NoError(t, s.Open(context.Background()))
	assert.Equal(t, rev, s.Store.Revision())
	require.NoError(t, s.Close())
	assert.NotContains(t, logs.String(), "life situations brought up to date")
}
