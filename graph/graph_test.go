package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/graph"
	"github.com/leistungsfinder/leistungsfinder/search"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	demoOnce   sync.Once
	demoShared *catalogtest.Shared
	demoStore  *catalog.Store
	demoErr    error

	demoIndexOnce sync.Once
	demoIndex     *search.Index
	demoIndexErr  error

	templateOnce      sync.Once
	templateErr       error
	templateIndexOnce sync.Once
	templateIndexErr  error
)

// sharedDemoStore returns the demo catalogue in a real bbolt file. It is
// loaded once per test binary and only read by the tests (and benchmarks);
// TestMain checks and closes the store.
func sharedDemoStore(t testing.TB) *catalog.Store {
	t.Helper()
	demoOnce.Do(func() {
		if demoShared, demoErr = catalogtest.OpenShared("graph-test-", catalog.Options{Portal: "HE"}); demoErr != nil {
			return
		}
		demoStore = demoShared.St
		_, demoErr = demo.Load(context.Background(), demoStore, nil)
	})
	require.NoError(t, demoErr)
	return demoStore
}

// sharedDemo returns the shared demo catalogue (sharedDemoStore) and its
// search index, built once per test binary.
func sharedDemo(t testing.TB) (*catalog.Store, *search.Index) {
	t.Helper()
	st := sharedDemoStore(t)
	demoIndexOnce.Do(func() { demoIndex, demoIndexErr = search.Open("", st, nil) })
	require.NoError(t, demoIndexErr)
	return st, demoIndex
}

// demoServer serves the shared demo catalogue through the real handler.
func demoServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, ix := sharedDemo(t)
	return serve(t, graph.Options{Store: st, Search: ix})
}

// serve runs the real handler with opts on a loopback httptest server
// that is closed when the test ends.
func serve(t testing.TB, opts graph.Options) *httptest.Server {
	srv := httptest.NewServer(graph.NewHandler(opts))
	t.Cleanup(srv.Close)
	return srv
}

// demoTemplate returns a store file with the demo catalogue that no
// process has open: a backup of the shared store, written once per test
// binary beside it (TestMain removes it).
func demoTemplate(t *testing.T) string {
	t.Helper()
	st := sharedDemoStore(t)
	path := filepath.Join(demoShared.Dir(), "template.db")
	templateOnce.Do(func() {
		f, err := os.Create(path)
		if err != nil {
			templateErr = err
			return
		}
		_, templateErr = st.Backup(f)
		if err := f.Close(); templateErr == nil {
			templateErr = err
		}
	})
	require.NoError(t, templateErr)
	return path
}

// demoCopy returns a store of the test's own with the demo catalogue, for
// tests that write: a copy of the file demoTemplate wrote, so the
// catalogue is loaded once per test binary, not once per test. It is
// checked and closed when the test ends (catalogtest.OpenCopy).
func demoCopy(t *testing.T) *catalog.Store {
	t.Helper()
	return catalogtest.OpenCopy(t, demoTemplate(t), catalog.Options{Portal: "HE"})
}

// demoIndexCopy returns a search index of st, a demoCopy the test has not
// written to yet, on disk in a temp dir of the test, closed when the test
// ends. It is a copy of an index of demoTemplate built once per test
// binary: the copy's checkpoint and change log are the store's, so Open
// takes it as it is instead of building it again.
func demoIndexCopy(t *testing.T, st *catalog.Store) *search.Index {
	t.Helper()
	db := demoTemplate(t)
	tmpl := filepath.Join(demoShared.Dir(), "template.index")
	templateIndexOnce.Do(func() {
		src, err := catalog.Open(db, catalog.Options{Portal: "HE", ReadOnly: true})
		if err != nil {
			templateIndexErr = err
			return
		}
		defer src.Close()
		ix, err := search.Open(tmpl, src, nil)
		if err != nil {
			templateIndexErr = err
			return
		}
		templateIndexErr = ix.Close()
	})
	require.NoError(t, templateIndexErr)
	path := filepath.Join(t.TempDir(), "index")
	require.NoError(t, os.CopyFS(path, os.DirFS(tmpl)))
	ix, err := search.Open(path, st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if err := demoShared.Close(); err != nil {
		os.Stderr.WriteString("store check failed: " + err.Error() + "\n")
		code = 1
	}
	os.Exit(code)
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func postQuery(t *testing.T, srv *httptest.Server, query string, vars map[string]any, header http.Header) (*http.Response, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	return send(t, req)
}

// send does a request and reads the whole answer.
func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func decode(t *testing.T, b []byte) gqlResponse {
	t.Helper()
	var r gqlResponse
	require.NoError(t, json.Unmarshal(b, &r), "body: %s", b)
	return r
}

// TestGolden runs every testdata/golden/*.graphql against the demo
// catalogue and compares the whole response with the .json beside it.
// A file may start with "# Accept-Language: en-GB" to set the header.
func TestGolden(t *testing.T) {
	srv := demoServer(t)
	files, err := filepath.Glob("testdata/golden/*.graphql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		t.Run(name, func(t *testing.T) {
			q, err := os.ReadFile(f)
			require.NoError(t, err)
			h := http.Header{}
			for _, line := range strings.Split(string(q), "\n") {
				if v, ok := strings.CutPrefix(line, "# Accept-Language: "); ok {
					h.Set("Accept-Language", v)
				}
			}
			_, body := postQuery(t, srv, string(q), nil, h)
			body = withoutCost(t, body)
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, body, "", "  "), "body: %s", body)
			pretty.WriteByte('\n')
			golden := strings.TrimSuffix(f, ".graphql") + ".json"
			if *update {
				require.NoError(t, os.WriteFile(golden, pretty.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./graph -update to write it")
			assert.Equal(t, string(want), pretty.String())
		})
	}
}

// withoutCost drops extensions.cost from an answer: the golden files are
// about the data, and TestCost checks what an operation costs.
func withoutCost(t *testing.T, body []byte) []byte {
	t.Helper()
	var r map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &r), "body: %s", body)
	var ext map[string]json.RawMessage
	if e, ok := r["extensions"]; ok {
		require.NoError(t, json.Unmarshal(e, &ext))
		require.Contains(t, ext, "cost", "every answer of an operation that ran says what it cost")
		delete(ext, "cost")
		if len(ext) == 0 {
			delete(r, "extensions")
		} else {
			r["extensions"], _ = json.Marshal(ext)
		}
	}
	// Keep the order data, errors, extensions of the answer.
	var out bytes.Buffer
	out.WriteByte('{')
	for _, k := range []string{"errors", "data", "extensions"} {
		if v, ok := r[k]; ok {
			if out.Len() > 1 {
				out.WriteByte(',')
			}
			fmt.Fprintf(&out, "%q:%s", k, v)
		}
	}
	out.WriteByte('}')
	return out.Bytes()
}

// The real case from the data: Gewerbe anmelden in Eschwege is handled at
// Obermarkt 22, 37269 Eschwege.
func TestLocalServiceEschwege(t *testing.T) {
	srv := demoServer(t)
	_, body := postQuery(t, srv, `query($l: String!, $a: String!) { localService(leikaKey: $l, ars: $a) {
		name responsibleOffices { name inherited address { street postalCode city } } } }`,
		map[string]any{"l": "99050012104000", "a": "066360003003"}, nil)
	r := decode(t, body)
	require.Empty(t, r.Errors)
	var data struct {
		LocalService struct {
			Name               string
			ResponsibleOffices []struct {
				Name      string
				Inherited bool
				Address   struct{ Street, PostalCode, City string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(r.Data, &data))
	require.Len(t, data.LocalService.ResponsibleOffices, 1)
	o := data.LocalService.ResponsibleOffices[0]
	assert.Contains(t, o.Name, "Eschwege")
	assert.False(t, o.Inherited)
	assert.Equal(t, "Obermarkt 22", o.Address.Street)
	assert.Equal(t, "37269", o.Address.PostalCode)
	assert.Equal(t, "Eschwege", o.Address.City)
	assert.Equal(t, "Gewerbe anmelden", data.LocalService.Name)
}

func TestLanguageNegotiation(t *testing.T) {
	srv := demoServer(t)
	const q = `{ localService(leikaKey: "99050012104000", ars: "066360003003") {
		name localization { requested language isFallback } fees { formatted }
		text(module: "06") { label text { language isFallback } } } }`
	type resp struct {
		LocalService struct {
			Name         string
			Localization struct {
				Requested, Language string
				IsFallback          bool
			}
			Fees []struct{ Formatted string }
			Text struct {
				Label string
				Text  struct {
					Language   string
					IsFallback bool
				}
			}
		}
	}
	cases := []struct {
		name, header string
		lang         string
		fallback     bool
		feeContains  string
	}{
		{"German", "", "DE", false, "€"},
		{"EnglishHeader", "en-GB,en;q=0.9", "EN", false, "€"},
		{"UnsupportedFallsBack", "fr-FR", "DE", true, "€"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.header != "" {
				h.Set("Accept-Language", c.header)
			}
			_, body := postQuery(t, srv, q, nil, h)
			r := decode(t, body)
			require.Empty(t, r.Errors)
			var data resp
			require.NoError(t, json.Unmarshal(r.Data, &data))
			assert.Equal(t, c.lang, data.LocalService.Text.Text.Language)
			assert.Equal(t, c.fallback, data.LocalService.Text.Text.IsFallback)
			assert.Equal(t, c.fallback, data.LocalService.Localization.IsFallback)
			require.NotEmpty(t, data.LocalService.Fees)
			if c.lang == "EN" {
				assert.True(t, strings.HasPrefix(data.LocalService.Fees[0].Formatted, "€"), "English amount format: %q", data.LocalService.Fees[0].Formatted)
				assert.NotEqual(t, "Gewerbe anmelden", data.LocalService.Name)
			} else {
				assert.True(t, strings.HasSuffix(data.LocalService.Fees[0].Formatted, "€"), "German amount format: %q", data.LocalService.Fees[0].Formatted)
			}
		})
	}
	t.Run("LangArgumentWinsOverHeader", func(t *testing.T) {
		h := http.Header{"Accept-Language": {"de"}}
		_, body := postQuery(t, srv, `{ localService(leikaKey: "99050012104000", ars: "066360003003", lang: EN) { text(module: "06") { label text { language } } } }`, nil, h)
		assert.Contains(t, string(body), `"language":"EN"`)
		assert.Contains(t, string(body), `"label":"Description"`)
	})
}

func TestBadInput(t *testing.T) {
	srv := demoServer(t)
	deep := "{ region(ars: \"066360003003\") { " + strings.Repeat("parent { ", 14) + "name" + strings.Repeat(" }", 14) + " } }"
	cases := []struct {
		name, query string
		code        string
		field       string
	}{
		{"MalformedLeika", `{ localService(leikaKey: "123", ars: "066360003003") { name } }`, "INVALID", "leikaKey"},
		{"MalformedARS", `{ localService(leikaKey: "99050012104000", ars: "0663") { name } }`, "INVALID", "ars"},
		{"BadCursor", `{ regions(query: "Kassel", after: "not-a-cursor") { totalCount } }`, "INVALID", "after"},
		{"PageTooLarge", `{ regions(query: "Kassel", first: 1000) { totalCount } }`, "INVALID", "first"},
		{"ParseError", `{ region(ars: "066360003003") { name `, "GRAPHQL_PARSE_FAILED", ""},
		{"UnknownField", `{ region(ars: "066360003003") { nonsense } }`, "GRAPHQL_VALIDATION_FAILED", ""},
		{"TooDeep", deep, "DEPTH_LIMIT_EXCEEDED", ""},
		{"TooComplex", `{ services(first: 100) { nodes { modules { text { text } } fees { formatted } implementationBundles { services { name modules { label } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := postQuery(t, srv, c.query, nil, nil)
			assert.Less(t, resp.StatusCode, 500, "never a 5xx for bad input")
			r := decode(t, body)
			require.NotEmpty(t, r.Errors, "body: %s", body)
			assert.Equal(t, c.code, r.Errors[0].Extensions["code"], "body: %s", body)
			if c.field != "" {
				assert.Equal(t, c.field, r.Errors[0].Extensions["field"])
			}
			assert.NotContains(t, string(body), "runtime error")
			assert.NotContains(t, string(body), "bbolt")
		})
	}
	t.Run("TooLarge", func(t *testing.T) {
		q := `{ region(ars: "066360003003") { name } }` + strings.Repeat(" ", graph.MaxRequestBytes)
		resp, body := postQuery(t, srv, q, nil, nil)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		assert.Equal(t, "REQUEST_TOO_LARGE", decode(t, body).Errors[0].Extensions["code"])
	})
	t.Run("NotJSON", func(t *testing.T) {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader("\x00\x01garbage"))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("MutationOverGETRefused", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "?query=" + url.QueryEscape(`mutation { x }`))
		require.NoError(t, err)
		resp.Body.Close()
		assert.GreaterOrEqual(t, resp.StatusCode, 400)
		assert.Less(t, resp.StatusCode, 500)
	})
}

// TestNotFoundIsNull: every lookup of one object by its key follows one
// rule. A well-formed key that names nothing answers null without an
// error; a malformed key is INVALID (README, "Not found").
func TestNotFoundIsNull(t *testing.T) {
	srv := demoServer(t)
	cases := []struct {
		name, query, field string
		invalid            string // a query with a malformed key, "" when every key is well-formed
	}{
		{"ServiceByLeika", `{ service(leikaKey: "99999999999999") { name } }`, "service", `{ service(leikaKey: "123") { name } }`},
		{"ServiceByID", `{ service(id: "HE.LB.9999999999") { name } }`, "service", ""},
		{"LocalServiceUnknownService", `{ localService(leikaKey: "99999999999999", ars: "066360003003") { name } }`, "localService", `{ localService(leikaKey: "123", ars: "066360003003") { name } }`},
		{"LocalServiceUnknownPlace", `{ localService(leikaKey: "99050012104000", ars: "069990000000") { name } }`, "localService", `{ localService(leikaKey: "99050012104000", ars: "0663") { name } }`},
		{"Region", `{ region(ars: "069990000000") { name } }`, "region", `{ region(ars: "06636") { name } }`},
		{"Office", `{ office(id: "HE.OE.9999999999") { name } }`, "office", ""},
		{"OnlineService", `{ onlineService(id: "HE.OS.9999999999") { title } }`, "onlineService", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, body := postQuery(t, srv, c.query, nil, nil)
			r := decode(t, body)
			assert.Empty(t, r.Errors, "not found is not an error: %s", body)
			assert.JSONEq(t, `{"`+c.field+`":null}`, string(r.Data))
			if c.invalid == "" {
				return
			}
			_, body = postQuery(t, srv, c.invalid, nil, nil)
			r = decode(t, body)
			require.NotEmpty(t, r.Errors, "%s", body)
			assert.Equal(t, "INVALID", r.Errors[0].Extensions["code"], "%s", body)
		})
	}
}

func TestGETIsCacheable(t *testing.T) {
	srv := demoServer(t)
	u := srv.URL + "?query=" + url.QueryEscape(`{ region(ars: "066360003003") { name level } }`)
	resp, body := httpCase{method: "GET"}.do(t, u)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Eschwege")
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "max-age=")

	resp, _ = httpCase{method: "GET", header: http.Header{"If-None-Match": {etag}}}.do(t, u)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
}

func TestPagination(t *testing.T) {
	srv := demoServer(t)
	const q = `query($after: String) { offices(ars: "066360000000", first: 5, after: $after) {
		totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`
	seen := map[string]bool{}
	var after any
	total := -1
	for pages := 0; pages < 20; pages++ {
		_, body := postQuery(t, srv, q, map[string]any{"after": after}, nil)
		r := decode(t, body)
		require.Empty(t, r.Errors, "%s", body)
		var data struct {
			Offices struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Nodes []struct{ ID string }
			}
		}
		require.NoError(t, json.Unmarshal(r.Data, &data))
		total = data.Offices.TotalCount
		for _, n := range data.Offices.Nodes {
			assert.False(t, seen[n.ID], "office %s on two pages", n.ID)
			seen[n.ID] = true
		}
		if !data.Offices.PageInfo.HasNextPage {
			break
		}
		after = data.Offices.PageInfo.EndCursor
	}
	assert.Equal(t, total, len(seen), "paging must visit every office once")
	assert.Greater(t, total, 10, "Werra-Meißner has 16 municipalities and a district office")
}
