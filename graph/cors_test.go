package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/graph"
)

// TestCORS plays a browser on three origins against a server configured
// with -cors-origins "https://portal.hessen.de": the listed portal may call
// with credentials, another origin gets no CORS headers (the browser hides
// the answer) and its preflight is refused; with "*" any origin may read
// anonymously, but only listed origins may send Authorization.
func TestCORS(t *testing.T) {
	st, ix := sharedDemo(t)
	api := graph.NewHandler(graph.Options{Store: st, Search: ix})
	listed := httptest.NewServer(graph.CORS{Origins: graph.ParseOrigins(" https://portal.hessen.de/ ,")}.Handler(api))
	t.Cleanup(listed.Close)
	anyone := httptest.NewServer(graph.CORS{Origins: graph.ParseOrigins("*,https://redaktion.hessen.de")}.Handler(api))
	t.Cleanup(anyone.Close)

	requestCode := func(t *testing.T, base, method, origin string, h map[string]string) (*http.Response, any) {
		t.Helper()
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader(`{"query":"{ region(ars: \"066360003003\") { name } }"}`)
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, base, body)
		require.NoError(t, err)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/json")
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var r gqlResponse
		var code any
		if json.NewDecoder(resp.Body).Decode(&r) == nil && len(r.Errors) > 0 {
			code = r.Errors[0].Extensions["code"]
		}
		return resp, code
	}
	request := func(t *testing.T, base, method, origin string, h map[string]string) *http.Response {
		t.Helper()
		resp, _ := requestCode(t, base, method, origin, h)
		return resp
	}
	preflight := map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}

	t.Run("AllowedOrigin", func(t *testing.T) {
		resp := request(t, listed.URL, http.MethodPost, "https://portal.hessen.de", nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "https://portal.hessen.de", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
		assert.Equal(t, "ETag", resp.Header.Get("Access-Control-Expose-Headers"))
		assert.Contains(t, resp.Header.Values("Vary"), "Origin")
	})
	t.Run("AllowedOriginPreflight", func(t *testing.T) {
		resp := request(t, listed.URL, http.MethodOptions, "https://portal.hessen.de", preflight)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "https://portal.hessen.de", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
		methods := resp.Header.Get("Access-Control-Allow-Methods")
		for _, m := range []string{"GET", "POST"} {
			assert.Contains(t, methods, m)
		}
		headers := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
		for _, h := range []string{"authorization", "content-type", "accept-language", "if-none-match", "x-apollo-operation-name", "apollo-require-preflight"} {
			assert.Contains(t, headers, h)
		}
		assert.NotEmpty(t, resp.Header.Get("Access-Control-Max-Age"))
	})
	t.Run("RefusedOrigin", func(t *testing.T) {
		resp := request(t, listed.URL, http.MethodPost, "https://evil.example", nil)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))
	})
	t.Run("RefusedOriginPreflight", func(t *testing.T) {
		resp, code := requestCode(t, listed.URL, http.MethodOptions, "https://evil.example", preflight)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Equal(t, "ORIGIN_NOT_ALLOWED", code)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Methods"))
	})
	t.Run("AnyOriginReadsAnonymously", func(t *testing.T) {
		resp := request(t, anyone.URL, http.MethodGet, "https://gemeinde.example", nil)
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"), "no credentials for an origin that is not listed")
		resp = request(t, anyone.URL, http.MethodOptions, "https://gemeinde.example", preflight)
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.NotContains(t, strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization",
			"an origin allowed only by * may not send a token")
	})
	t.Run("ListedBesideAnyGetsCredentials", func(t *testing.T) {
		resp := request(t, anyone.URL, http.MethodOptions, "https://redaktion.hessen.de", preflight)
		assert.Equal(t, "https://redaktion.hessen.de", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
		assert.Contains(t, strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization")
	})
	t.Run("SameOriginUntouched", func(t *testing.T) {
		resp := request(t, listed.URL, http.MethodPost, "", nil)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	})
}
