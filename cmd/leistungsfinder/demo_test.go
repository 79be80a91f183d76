package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// partialDemo writes what an interrupted demo load of an earlier version
// left: a few records by the demo loader and no completion mark.
func partialDemo(t *testing.T, dir, portal string) {
	t.Helper()
	st, err := catalog.Open(storePath(dir), catalog.Options{Portal: portal})
	require.NoError(t, err)
	require.NoError(t, st.Update(context.Background(), func(tx *catalog.Tx) error {
		return tx.Put(&catalog.Region{Meta: catalog.Meta{ID: "000000000000"}, Name: "Bund", Level: catalog.LevelBund},
			catalog.Write{Actor: "demo", Reason: "demo catalogue"})
	}))
	require.NoError(t, st.Close())
}

// check reports a demo that was not loaded completely; serve completes it.
func TestCheckReportsIncompleteDemo(t *testing.T) {
	dir := t.TempDir()
	partialDemo(t, dir, "HE")
	err := run(context.Background(), []string{"check", "-data", dir}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the demo catalogue was not loaded completely")

	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	var services int
	require.NoError(t, s.Store.View(context.Background(), func(tx *catalog.Tx) error { services = tx.Count(catalog.KindService); return nil }))
	require.NoError(t, s.Close())
	assert.Greater(t, services, 900, "the demo was completed")
	require.NoError(t, run(context.Background(), []string{"check", "-data", dir}, io.Discard, io.Discard))
}

// serve -portal XX refuses a store with another portal's demo, and does
// not load Hessen's demo as another portal's catalogue.
func TestServeRefusesAnotherPortalsDemo(t *testing.T) {
	dir := t.TempDir()
	partialDemo(t, dir, "BY") // as an earlier version's `serve -portal BY` left it
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "BY", Log: newLogger(io.Discard, "error")}
	err := s.Open(context.Background())
	s.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds the demo catalogue of portal HE, served here as portal BY")

	empty := t.TempDir()
	s = &Server{Addr: "127.0.0.1:0", DataDir: empty, Portal: "BY", Log: newLogger(io.Discard, "error")}
	err = s.Open(context.Background())
	s.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "add -no-demo")

	s = &Server{Addr: "127.0.0.1:0", DataDir: empty, Portal: "BY", NoDemo: true, Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	assert.Equal(t, uint64(0), s.Store.Revision())
	require.NoError(t, s.Close())
}

// serve -portal BY -regions-only starts an empty data directory with the
// nationwide region list alone (what a portal of another state needs to
// mirror its peers), not with Hessen's services, and a restart loads
// nothing again.
func TestServeRegionsOnly(t *testing.T) {
	dir := t.TempDir()
	count := func(s *Server, k catalog.Kind) (n int) {
		require.NoError(t, s.Store.View(context.Background(), func(tx *catalog.Tx) error { n = tx.Count(k); return nil }))
		return n
	}
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "BY", RegionsOnly: true, Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	assert.Greater(t, count(s, catalog.KindRegion), 11000, "every German region key")
	assert.Zero(t, count(s, catalog.KindService), "none of Hessen's services")
	assert.Zero(t, count(s, catalog.KindOffice))
	rev := s.Store.Revision()
	require.NoError(t, s.Close())

	s = &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "BY", RegionsOnly: true, Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	assert.Equal(t, rev, s.Store.Revision(), "a restart writes nothing")
	require.NoError(t, s.Close())
	require.NoError(t, run(context.Background(), []string{"check", "-data", dir}, io.Discard, io.Discard))
}
