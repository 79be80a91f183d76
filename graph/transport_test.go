package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/graph"
)

type httpCase struct {
	name        string
	method      string
	query       string // GET query string, without "?"
	contentType string
	accept      string
	body        string
	status      int
	code        string
	allow       string
	data        bool        // the answer has a "data" entry
	header      http.Header // more request headers
}

func (c httpCase) do(t *testing.T, base string) (*http.Response, []byte) {
	t.Helper()
	u := base
	if c.query != "" {
		u += "?" + c.query
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	return send(t, req)
}

func q(s string) string { return "query=" + url.QueryEscape(s) }

// TestGraphQLOverHTTP checks the handler against the GraphQL-over-HTTP
// spec as a client sees it: the status of every kind of refusal, its
// extensions.code, and that a request GraphQL did not run has no "data".
// (.ci/graphql-http-audit.sh runs the graphql-http audit besides.)
func TestGraphQLOverHTTP(t *testing.T) {
	srv := demoServer(t)
	const gr = "application/graphql-response+json"
	const js = "application/json"
	cases := []httpCase{
		{name: "PostJSON", contentType: js, body: `{"query":"{ __typename }"}`, status: 200, data: true},
		{name: "PostCharset", contentType: js + "; charset=utf-8", body: `{"query":"{ __typename }"}`, status: 200, data: true},
		{name: "Get", method: "GET", query: q(`{ __typename }`), status: 200, data: true},
		{name: "GetGraphQLResponse", method: "GET", query: q(`{ __typename }`), accept: gr, status: 200, data: true},

		{name: "PostWithoutContentType", body: `{"query":"{ __typename }"}`, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "PostTextPlain", contentType: "text/plain", body: `{"query":"{ __typename }"}`, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "PostForm", contentType: "application/x-www-form-urlencoded", body: q(`{ __typename }`), status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "PostLatin1", contentType: js + "; charset=iso-8859-1", body: `{"query":"{ __typename }"}`, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "PutRefused", method: "PUT", contentType: js, body: `{"query":"{ __typename }"}`, status: 405, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "DeleteRefused", method: "DELETE", status: 405, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "MutationOverGET", method: "GET", query: q(`mutation { revokeEditor(id: "ED.000001") { id } }`), status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "InvalidMutationOverGET", method: "GET", query: q(`mutation { nonsense }`), status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "NamedMutationOverGET", method: "GET", query: q(`query A { __typename } mutation B { __typename }`) + "&operationName=B", status: 405, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "NamedQueryBesideMutationOverGET", method: "GET", query: q(`query A { __typename } mutation B { __typename }`) + "&operationName=A", status: 200, data: true},
		{name: "NotAcceptable", contentType: js, accept: "text/html", body: `{"query":"{ __typename }"}`, status: 406, code: "NOT_ACCEPTABLE"},

		{name: "InvalidJSON", contentType: js, body: `{ "not a JSON`, status: 400, code: "INVALID_JSON"},
		{name: "InvalidJSONGraphQLResponse", contentType: js, accept: gr, body: `{ "not a JSON`, status: 400, code: "INVALID_JSON"},
		{name: "TrailingGarbage", contentType: js, body: `{"query":"{ __typename }"} x`, status: 400, code: "INVALID_JSON"},
		{name: "EmptyBody", contentType: js, status: 400, code: "BAD_REQUEST"},
		{name: "BodyNotObject", contentType: js, body: `["{ __typename }"]`, status: 400, code: "BAD_REQUEST"},
		{name: "QueryMissing", contentType: js, body: `{"qeury":"{ __typename }"}`, status: 400, code: "BAD_REQUEST"},
		{name: "QueryNotString", contentType: js, body: `{"query":{"obj":"ect"}}`, status: 400, code: "BAD_REQUEST"},
		{name: "OperationNameNotString", contentType: js, body: `{"query":"{ __typename }","operationName":0}`, status: 400, code: "BAD_REQUEST"},
		{name: "VariablesNotObject", contentType: js, body: `{"query":"{ __typename }","variables":"string"}`, status: 400, code: "BAD_REQUEST"},
		{name: "ExtensionsNotObject", contentType: js, body: `{"query":"{ __typename }","extensions":["array"]}`, status: 400, code: "BAD_REQUEST"},
		{name: "GetQueryMissing", method: "GET", status: 400, code: "BAD_REQUEST"},
		{name: "GetVariablesNotJSON", method: "GET", query: q(`query($a: String!) { region(ars: $a) { name } }`) + "&variables=" + url.QueryEscape(`{"a":`), status: 400, code: "INVALID_JSON"},
		{name: "GetExtensionsNotJSON", method: "GET", query: q(`{ __typename }`) + "&extensions=nope", status: 400, code: "INVALID_JSON"},

		// Request errors: GraphQL did not run. JSON answers 200, the
		// GraphQL response type 400; neither has data.
		{name: "ParseJSON", contentType: js, body: `{"query":"{"}`, status: 200, code: "GRAPHQL_PARSE_FAILED"},
		{name: "ParseGraphQLResponse", contentType: js, accept: gr, body: `{"query":"{"}`, status: 400, code: "GRAPHQL_PARSE_FAILED"},
		{name: "ValidationJSON", contentType: js, body: `{"query":"{ nonsense }"}`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "ValidationGraphQLResponse", contentType: js, accept: gr, body: `{"query":"{ nonsense }"}`, status: 400, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "CoercionJSON", contentType: js, body: `{"query":"query($a: String!) { region(ars: $a) { name } }","variables":{"a":{"x":1}}}`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "CoercionGraphQLResponse", contentType: js, accept: gr, body: `{"query":"query($a: String!) { region(ars: $a) { name } }","variables":{"a":null}}`, status: 400, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "GetParseGraphQLResponse", method: "GET", query: q(`{`), accept: gr, status: 400, code: "GRAPHQL_PARSE_FAILED"},
		{name: "PersistedQueryUnknown", contentType: js, body: `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`, status: 200, code: "PERSISTED_QUERY_NOT_FOUND"},

		// Field errors: GraphQL ran; the answer has data and says 200.
		{name: "FieldErrorGraphQLResponse", contentType: js, accept: gr, body: `{"query":"{ localService(leikaKey: \"123\", ars: \"066360003003\") { name } }"}`, status: 200, code: "INVALID", data: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := c.do(t, srv.URL)
			assert.Equal(t, c.status, resp.StatusCode, "body: %s", body)
			ct := resp.Header.Get("Content-Type")
			if c.accept == gr && c.status != 406 {
				assert.Equal(t, gr+"; charset=utf-8", ct)
			} else {
				assert.Equal(t, "application/json; charset=utf-8", ct)
			}
			if c.allow != "" {
				assert.Equal(t, c.allow, resp.Header.Get("Allow"))
			}
			var r map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(body, &r), "body: %s", body)
			_, hasData := r["data"]
			assert.Equal(t, c.data, hasData, "data entry: %s", body)
			if c.code == "" {
				assert.NotContains(t, r, "errors")
				return
			}
			var errs []gqlError
			require.NoError(t, json.Unmarshal(r["errors"], &errs), "body: %s", body)
			require.NotEmpty(t, errs)
			for _, e := range errs {
				assert.Equal(t, c.code, e.Extensions["code"], "body: %s", body)
				assert.NotEmpty(t, e.Message)
			}
			if c.body != "" && c.code == "INVALID_JSON" {
				assert.NotContains(t, string(body), "not a JSON", "the body is never echoed")
			}
		})
	}
	t.Run("OptionsWithoutOrigin", func(t *testing.T) {
		resp, _ := httpCase{method: "OPTIONS"}.do(t, srv.URL)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "GET, POST, OPTIONS", resp.Header.Get("Allow"))
	})
}

// TestResponseCacheNeverAnswersAFailingRequest fills the response cache
// with an answer and then sends requests that must fail with the same
// GraphQL parameters: wrong content type, none, a mutation by GET. Each
// gets its refusal, not the cached answer.
func TestResponseCacheNeverAnswersAFailingRequest(t *testing.T) {
	st, ix := sharedDemo(t)
	metrics := graph.NewMetrics()
	srv := serve(t, graph.Options{Store: st, Search: ix, ResponseCache: 100, Metrics: metrics})
	const body = `{"query":"{ region(ars: \"066360003003\") { name } }"}`
	ok := httpCase{contentType: "application/json", body: body}
	for range 2 {
		resp, b := ok.do(t, srv.URL)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, string(b), "Eschwege")
	}
	assert.Equal(t, 1.0, metricValue(t, metrics, `leistungsfinder_response_cache_requests_total{result="hit"}`), "the second request is answered from the cache")

	for _, c := range []httpCase{
		{name: "TextPlain", contentType: "text/plain", body: body, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "NoContentType", body: body, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "NotAcceptable", contentType: "application/json", accept: "text/html", body: body, status: 406, code: "NOT_ACCEPTABLE"},
		{name: "BadOperationName", contentType: "application/json", body: `{"query":"{ region(ars: \"066360003003\") { name } }","operationName":"X"}`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "BadToken", contentType: "application/json", body: body, status: 401, code: "UNAUTHENTICATED", header: bearer("lf_unknown")},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := c.do(t, srv.URL)
			assert.Equal(t, c.status, resp.StatusCode, "%s", b)
			assert.NotContains(t, string(b), "Eschwege", "answered from the cache")
			r := decode(t, b)
			require.NotEmpty(t, r.Errors, "%s", b)
			assert.Equal(t, c.code, r.Errors[0].Extensions["code"])
		})
	}
	assert.Equal(t, 1.0, metricValue(t, metrics, `leistungsfinder_response_cache_requests_total{result="hit"}`), "no failing request reached the cache")
}

// metricValue scrapes the registry and returns one sample's value.
func metricValue(t *testing.T, m *graph.Metrics, series string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			require.NoError(t, json.Unmarshal([]byte(v), &f), "%s", line)
			return f
		}
	}
	t.Fatalf("no series %s in\n%s", series, rec.Body.String())
	return 0
}

// TestPersistedQueryOverGETWithETag follows the README's recipe for front
// ends: an automatic persisted query by GET (hash only), registered once by
// POST, then cached by the browser with its ETag.
func TestPersistedQueryOverGETWithETag(t *testing.T) {
	srv := demoServer(t)
	const query = `{ region(ars: "066360003003") { name } }`
	sum := sha256.Sum256([]byte(query))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	byHash := srv.URL + "?extensions=" + url.QueryEscape(ext)

	resp, body := httpCase{method: "GET"}.do(t, byHash)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	r := decode(t, body)
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", r.Errors[0].Extensions["code"])
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "a refusal is not cached")

	b, _ := json.Marshal(map[string]any{"query": query, "extensions": json.RawMessage(ext)})
	resp, body = httpCase{contentType: "application/json", body: string(b)}.do(t, srv.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, decode(t, body).Errors, "%s", body)

	resp, body = httpCase{method: "GET"}.do(t, byHash)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Eschwege")
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, "public, max-age=0", resp.Header.Get("Cache-Control"))

	resp, _ = httpCase{method: "GET", header: http.Header{"If-None-Match": {etag}}}.do(t, byHash)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
}
