package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGenCommand generates scale S into a data directory, serves it
// without building anything at start, and checks that gen refuses what it
// must not do: another scale into the same directory, or any scale into a
// store it did not write.
func TestGenCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out, genLog bytes.Buffer
	require.NoError(t, run(ctx, []string{"gen", "--scale", "S", "-o", dir}, &out, &genLog))
	assert.Contains(t, out.String(), "gen: scale S seed 1")
	assert.Greater(t, checkDurations(t, genLog.String()), 1, "gen logs how long its steps took")

	var logs bytes.Buffer
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(&logs, "info")}
	require.NoError(t, s.Open(ctx))
	defer s.Close()
	assert.NotContains(t, logs.String(), "search index: building", "gen built the index, serve must not")
	assert.NotContains(t, logs.String(), "loading the built-in demo catalogue")
	body, _ := json.Marshal(map[string]string{"query": `{ localService(leikaKey: "99050012104000", ars: "066360003003") { responsibleOffices { address { street } } } }`})
	resp, err := http.Post(s.URL()+"/graphql", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), "Obermarkt 22")
	require.NoError(t, s.Close())

	out.Reset()
	require.NoError(t, run(ctx, []string{"gen", "--scale", "S", "-o", dir}, &out, io.Discard))
	assert.Contains(t, out.String(), "already holds scale S seed 1, complete")

	err = run(ctx, []string{"gen", "--scale", "M", "-o", dir}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "choose another directory")

	foreign := t.TempDir()
	fs := &Server{Addr: "127.0.0.1:0", DataDir: foreign, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, fs.Open(ctx))
	require.NoError(t, fs.Close())
	err = run(ctx, []string{"gen", "--scale", "S", "-o", foreign}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "did not write")
}
