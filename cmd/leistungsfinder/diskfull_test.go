package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// smallMount mounts a tmpfs of size bytes for the test, or skips when that
// cannot be done here (it needs root; CI runs as root).
func smallMount(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the disk-full and read-only tests mount a small tmpfs and need root (CI runs them as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the disk-full and read-only tests need it", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// gql posts a query with a token and returns data and the first error's
// code, rule and message.
func gql(t *testing.T, base, token, query string, vars map[string]any) (data map[string]any, code, rule, msg string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		code, _ = e.Extensions["code"].(string)
		rule, _ = e.Extensions["rule"].(string)
		msg = e.Message
	}
	return out.Data, code, rule, msg
}

const createOfficeMutation = `mutation($input: OfficeInput!) { createOffice(input: $input) { id } }`

func officeVars(name, note string) map[string]any {
	return map[string]any{"input": map[string]any{"name": map[string]any{"de": name}, "kind": "MUNICIPALITY", "ars": catalogtest.Eschwege,
		"addresses":     []any{map[string]any{"kind": "VISITOR", "street": "Obermarkt 22", "postalCode": "37269", "city": "Eschwege"}},
		"accessibility": map[string]any{"de": note}}}
}

// prepareStore writes a small store with regions and a state editor into
// dir and returns the editor's token.
func prepareStore(t *testing.T, dir string) string {
	t.Helper()
	st, err := catalog.Open(storePath(dir), catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	catalogtest.PutRegions(t, st)
	token, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	return token
}

// readOffice returns an office's name as the API answers it.
func readOffice(t *testing.T, base, id string) string {
	t.Helper()
	data, code, _, msg := gql(t, base, "", `query($id: ID!) { office(id: $id) { name } }`, map[string]any{"id": id})
	require.Empty(t, code, msg)
	o, _ := data["office"].(map[string]any)
	name, _ := o["name"].(string)
	return name
}

// checkStore opens the stopped store, runs Check and returns the office
// names by ID.
func checkStore(t *testing.T, dir string) map[string]string {
	t.Helper()
	st, err := catalog.Open(storePath(dir), catalog.Options{ReadOnly: true})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Check())
	names := map[string]string{}
	require.NoError(t, st.View(context.Background(), func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindOffice, func(r catalog.Record) (bool, error) {
			o := r.(*catalog.Office)
			names[o.ID] = o.Name.String()
			return true, nil
		})
	}))
	return names
}

// TestDiskFull fills the disk under a running server: writes fail with a
// clear error, reads keep working, nothing acknowledged is lost and the
// store passes Check; once there is room again, writes work.
func TestDiskFull(t *testing.T) {
	dir := smallMount(t, "24m")
	token := prepareStore(t, dir)
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", NoDemo: true, Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	defer s.Close()
	base := s.URL()

	acked := map[string]string{}
	create := func(name string) (string, string, string) {
		data, code, rule, msg := gql(t, base, token, createOfficeMutation, officeVars(name, strings.Repeat("Barrierefreier Zugang. ", 400)))
		if code == "" {
			id := data["createOffice"].(map[string]any)["id"].(string)
			acked[id] = name
		}
		return code, rule, msg
	}
	code, _, msg := create("Vor dem Füllen")
	require.Empty(t, code, msg)

	// Fill the disk.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	chunk := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(chunk); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			break
		}
	}
	filler.Close()

	var rule string
	for i := 0; i < 500 && code == ""; i++ {
		code, rule, msg = create(fmt.Sprintf("Bei vollem Speicher %d", i))
	}
	require.Equal(t, "INTERNAL", code, "a write fails once the disk is full")
	assert.Equal(t, catalog.RuleDiskFull, rule)
	assert.Contains(t, msg, "the server's disk is full")
	for id, name := range acked {
		assert.Equal(t, name, readOffice(t, base, id), "reads keep working")
	}
	resp, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	code, _, msg = create("Nach dem Aufräumen")
	require.Empty(t, code, "writes work again once there is room: %s", msg)
	require.NoError(t, s.Close())
	names := checkStore(t, dir)
	for id, name := range acked {
		assert.Equal(t, name, names[id], "acknowledged office %s", id)
	}
}

// TestReadOnlyDataDirectory starts the server on a data directory mounted
// read-only: it serves reads, refuses writes with a clear error and
// changes nothing.
func TestReadOnlyDataDirectory(t *testing.T) {
	dir := smallMount(t, "24m")
	token := prepareStore(t, dir)
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", NoDemo: true, Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	data, code, _, msg := gql(t, s.URL(), token, createOfficeMutation, officeVars("Magistrat", "Rampe"))
	require.Empty(t, code, msg)
	id := data["createOffice"].(map[string]any)["id"].(string)
	require.NoError(t, s.Close())
	before, err := os.ReadFile(storePath(dir))
	require.NoError(t, err)

	out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	defer exec.Command("mount", "-o", "remount,rw", dir).Run()

	var logs bytes.Buffer
	s = &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", NoDemo: true, Log: newLogger(&logs, "info")}
	require.NoError(t, s.Open(context.Background()), logs.String())
	defer s.Close()
	assert.Contains(t, logs.String(), "the data directory is read-only: serving reads only")
	assert.Equal(t, "Magistrat", readOffice(t, s.URL(), id))
	_, code, rule, msg := gql(t, s.URL(), token, createOfficeMutation, officeVars("Neu", "Rampe"))
	assert.Equal(t, "INTERNAL", code)
	assert.Equal(t, catalog.RuleReadOnly, rule)
	assert.Contains(t, msg, "read-only")
	sr, code, _, msg := gql(t, s.URL(), "", `{ regions(query: "Eschwege") { nodes { ars } } }`, nil)
	require.Empty(t, code, msg)
	assert.Contains(t, fmt.Sprint(sr), catalogtest.Eschwege, "search works from the in-memory index")
	require.NoError(t, s.Close())

	after, err := os.ReadFile(storePath(dir))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "the store is unchanged")
	assert.Equal(t, "Magistrat", checkStore(t, dir)[id])
}
