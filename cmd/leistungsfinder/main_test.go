package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestServeEndToEnd starts the real server on a free loopback port with an
// empty data directory, as the README's first command does, and uses it as
// a new user would: health, GraphiQL, the Eschwege case over POST and GET,
// metrics; then an operator backs it up online and the copy restores.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", AdminToken: "operator-secret", ResponseCache: 100,
		CORSOrigins: []string{"https://portal.hessen.de"}, Log: newLogger(&logs, "info")}
	require.NoError(t, s.Open(context.Background()))
	closed := false
	t.Cleanup(func() {
		if !closed {
			s.Close()
		}
	})
	assert.Contains(t, logs.String(), "loading the built-in demo catalogue")

	get := func(path string, h http.Header) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/healthz", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = get("/readyz", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, "ready revision=")
	resp, body = get("/", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, strings.ToLower(body), "graphiql")

	q := `{ regions(query: "Eschwege") { nodes { ars name } } localService(leikaKey: "99050012104000", ars: "066360003003") { name fees { formatted } responsibleOffices { name address { street postalCode city } } } }`
	reqBody, _ := json.Marshal(map[string]string{"query": q})
	presp, err := http.Post(s.URL()+"/graphql", "application/json", bytes.NewReader(reqBody))
	require.NoError(t, err)
	pb, _ := io.ReadAll(presp.Body)
	presp.Body.Close()
	assert.Equal(t, http.StatusOK, presp.StatusCode)
	assert.Contains(t, string(pb), `"name":"Gewerbe anmelden"`)
	assert.Contains(t, string(pb), `"street":"Obermarkt 22","postalCode":"37269","city":"Eschwege"`)
	assert.NotContains(t, string(pb), `"errors"`)

	var sr bytes.Buffer
	sb, _ := json.Marshal(map[string]string{"query": `{ search(query: "perso verloren", ars: "066360003003") { totalCount hits { service { leikaKeys } } } }`})
	sresp, err := http.Post(s.URL()+"/graphql", "application/json", bytes.NewReader(sb))
	require.NoError(t, err)
	io.Copy(&sr, sresp.Body)
	sresp.Body.Close()
	assert.Contains(t, sr.String(), "99008001014002", "the portal search finds the lost ID card service")

	resp, body = get("/graphql?query="+url.QueryEscape(`{ region(ars: "066360003003") { name } }`), http.Header{"Accept": {"application/graphql-response+json"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/graphql-response+json")
	assert.Contains(t, body, "Eschwege")

	resp, _ = get("/graphql?query="+url.QueryEscape(`{ region(ars: "066360003003") { name } }`), http.Header{"Origin": {"https://portal.hessen.de"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "https://portal.hessen.de", resp.Header.Get("Access-Control-Allow-Origin"), "-cors-origins reaches /graphql")
	resp, _ = get("/graphql?query="+url.QueryEscape(`{ region(ars: "066360003003") { name } }`), nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the same query again comes from the response cache")
	req, _ := http.NewRequest(http.MethodOptions, s.URL()+"/graphql", nil)
	req.Header.Set("Origin", "https://portal.hessen.de")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode, "preflight")

	// Metrics: the standard collectors and the API's own series.
	resp, body = get("/metrics", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	for _, series := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^go_goroutines \d+`),
		regexp.MustCompile(`(?m)^process_resident_memory_bytes \d`),
		regexp.MustCompile(`(?m)^leistungsfinder_http_requests_total\{method="POST",route="/graphql",status="200"\} [2-9]`),
		regexp.MustCompile(`(?m)^leistungsfinder_http_request_duration_seconds_bucket\{route="/graphql",le="\+Inf"\} \d+`),
		regexp.MustCompile(`(?m)^leistungsfinder_graphql_operations_total\{outcome="ok",type="query"\} [3-9]`),
		regexp.MustCompile(`(?m)^leistungsfinder_graphql_operation_duration_seconds_count\{cached="true",type="query"\} 1`),
		regexp.MustCompile(`(?m)^leistungsfinder_response_cache_requests_total\{result="hit"\} 1`),
		regexp.MustCompile(`(?m)^leistungsfinder_response_cache_requests_total\{result="miss"\} [3-9]`),
		regexp.MustCompile(`(?m)^leistungsfinder_search_requests_total\{field="search"\} 1`),
		regexp.MustCompile(`(?m)^leistungsfinder_search_available 1$`),
		regexp.MustCompile(`(?m)^leistungsfinder_search_failures 0$`),
		regexp.MustCompile(`(?m)^leistungsfinder_search_duration_seconds_count\{field="search"\} 1`),
		regexp.MustCompile(`(?m)^leistungsfinder_store_revision \d+`),
		regexp.MustCompile(`(?m)^leistungsfinder_search_revision \d+`),
	} {
		assert.Regexp(t, series, body)
	}

	checkREADMEAgainstServer(t, s, logs.String())

	// The federation feed: peers only, signed, with our public keys published.
	resp, _ = get("/federation/v1/changes?limit=5", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	peerToken, _, err := s.Store.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Bayern", Role: catalog.AccessPeer})
	require.NoError(t, err)
	resp, body = get("/federation/v1/changes?limit=5", http.Header{"Authorization": {"Bearer " + peerToken}})
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.NotEmpty(t, resp.Header.Get("Federation-Signature"))
	assert.Contains(t, body, `"kind"`)
	resp, body = get("/.well-known/jwks.json", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, body, `"Ed25519"`)

	// Online backup needs the operator token.
	resp, _ = get("/admin/backup", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	var out bytes.Buffer
	backup := filepath.Join(t.TempDir(), "backup.db")
	require.NoError(t, run(context.Background(), []string{"backup", "-url", s.URL(), "-token", "operator-secret", "-o", backup}, &out, io.Discard))
	assert.Contains(t, out.String(), "check passed")

	// Graceful shutdown, then restore the backup into a new data directory and check it.
	closed = true
	require.NoError(t, s.Close())
	restored := t.TempDir()
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"restore", "-data", restored, "-i", backup}, &out, io.Discard))
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"check", "-data", restored}, &out, io.Discard))
	assert.Contains(t, out.String(), "check passed")

	checkLogs(t, logs.String())
}

// checkLogs reads the server's log as an operator would: one JSON object
// a line, the listening line names the explorer, and every duration is in
// one unit, milliseconds as a number under a key ending in _ms.
func checkLogs(t *testing.T, logs string) {
	t.Helper()
	var listening map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "log line: %s", line)
		if rec["msg"] == "listening" {
			listening = rec
		}
	}
	assert.Greater(t, checkDurations(t, logs), 3, "requests and start-up steps log their durations")
	require.NotNil(t, listening, "no listening line in\n%s", logs)
	explorer, _ := listening["explorer"].(string)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/graphiql$`, explorer)
}

// checkDurations checks that every duration in a JSON log is in one unit,
// milliseconds as a number under a key ending in _ms, and returns how many
// it found.
func checkDurations(t *testing.T, logs string) (durations int) {
	t.Helper()
	goDuration := regexp.MustCompile(`^-?[0-9.]+(ns|µs|us|ms|s|m|h)([0-9.]+(ns|µs|us|ms|s|m|h))*$`)
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "log line: %s", line)
		for k, v := range rec {
			if strings.HasSuffix(k, "_ms") {
				_, isNumber := v.(float64)
				assert.True(t, isNumber, "%s is not a number of milliseconds: %s", k, line)
				durations++
				continue
			}
			assert.NotContains(t, []string{"took", "duration", "elapsed", "retry"}, k, "a duration without its unit: %s", line)
			if str, ok := v.(string); ok {
				assert.False(t, goDuration.MatchString(str), "%s is a duration string: %s", k, line)
			}
		}
	}
	return durations
}

// TestEditorCommand creates, lists and revokes an editor on a data
// directory, as the operator would before starting the server.
func TestEditorCommand(t *testing.T) {
	dir := t.TempDir()
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	require.NoError(t, s.Close())

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"editor", "add", "-data", dir, "-name", "Stadt Eschwege", "-role", "municipal_editor", "-scope", "066360003003"}, &out, io.Discard))
	token := regexp.MustCompile(`lf_[A-Za-z0-9_-]+`).FindString(out.String())
	require.NotEmpty(t, token, "the token is shown once: %s", out.String())
	id := regexp.MustCompile(`ED\.\d+`).FindString(out.String())

	err := run(context.Background(), []string{"editor", "add", "-data", dir, "-name", "x", "-role", "MUNICIPAL_EDITOR", "-scope", "06636"}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scopes[0]")

	st, err := catalog.Open(storePath(dir), catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	p, err := st.Authenticate(context.Background(), token, "")
	require.NoError(t, err)
	assert.Equal(t, catalog.AccessMunicipalEditor, p.Role)
	require.NoError(t, st.Close())

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"editor", "list", "-data", dir}, &out, io.Discard))
	assert.Contains(t, out.String(), "Stadt Eschwege")
	assert.NotContains(t, out.String(), token)
	require.NoError(t, run(context.Background(), []string{"editor", "revoke", "-data", dir, "-id", id}, io.Discard, io.Discard))
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"editor", "list", "-data", dir}, &out, io.Discard))
	assert.Contains(t, out.String(), "revoked")
}

func TestUnknownCommand(t *testing.T) {
	err := run(context.Background(), []string{"frobnicate"}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "unknown command")
}

// TestExportEnglish writes the English export of the demo catalogue: core
// services complete, federal ones listed as gaps, labels included.
func TestExportEnglish(t *testing.T) {
	dir := t.TempDir()
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	require.NoError(t, s.Close())
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"export", "--lang", "en", "-data", dir}, &out, &errOut))
	var doc Export
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, "en", doc.Language)
	assert.Equal(t, "Required documents", doc.Labels["module.08"])
	var gewerbe, federal *ExportRecord
	for i := range doc.Services {
		switch doc.Services[i].LeikaKeys[0] {
		case "99050012104000":
			gewerbe = &doc.Services[i]
		case "99038003017001":
			federal = &doc.Services[i]
		}
	}
	require.NotNil(t, gewerbe)
	require.NotNil(t, federal)
	assert.Contains(t, gewerbe.Texts["texts.03"].Text, "business")
	assert.Empty(t, gewerbe.Missing)
	assert.Contains(t, federal.Missing, "texts.02", "German-only federal services are gaps, not English")
	assert.Greater(t, doc.Summary.Missing, 500)
	assert.Contains(t, errOut.String(), "English texts")
	err := run(context.Background(), []string{"export", "--lang", "fr", "-data", dir}, io.Discard, io.Discard)
	assert.Error(t, err)
}

// TestServeFlags: -cors-origins and -disable-introspection, and their
// environment variables.
func TestServeFlags(t *testing.T) {
	var s Server
	require.NoError(t, s.ParseFlags([]string{"-cors-origins", "https://portal.hessen.de, http://localhost:5173/", "-disable-introspection"}, io.Discard))
	assert.Equal(t, []string{"https://portal.hessen.de", "http://localhost:5173"}, s.CORSOrigins)
	assert.True(t, s.DisableIntrospection)

	t.Setenv("LF_CORS_ORIGINS", "*")
	t.Setenv("LF_DISABLE_INTROSPECTION", "true")
	s = Server{}
	require.NoError(t, s.ParseFlags(nil, io.Discard))
	assert.Equal(t, []string{"*"}, s.CORSOrigins)
	assert.True(t, s.DisableIntrospection)

	t.Setenv("LF_CORS_ORIGINS", "")
	t.Setenv("LF_DISABLE_INTROSPECTION", "")
	s = Server{}
	require.NoError(t, s.ParseFlags(nil, io.Discard))
	assert.Empty(t, s.CORSOrigins, "CORS is off unless asked for")
	assert.False(t, s.DisableIntrospection, "introspection is on by default")
}
