package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// readme returns the repository's README.md.
func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	return string(b)
}

// graphqlBlock returns the README's first ```graphql block that contains
// marker.
func graphqlBlock(t *testing.T, doc, marker string) string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		if strings.Contains(m[1], marker) {
			return m[1]
		}
	}
	t.Fatalf("README has no graphql block with %q", marker)
	return ""
}

// grouped writes n with a space between groups of three digits, as the
// README does (11 582).
func grouped(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkREADMEAgainstServer tries the README as a new user would, against a
// server freshly started on the demo catalogue: the numbers it gives for
// the demo are the ones the log says, and the editing example works as
// written: read the Eschwege office's revision, then update it with that
// revision as a municipal editor of Eschwege.
func checkREADMEAgainstServer(t *testing.T, s *Server, logs string) {
	t.Helper()
	doc := readme(t)

	var loaded map[string]any
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"msg":"demo catalogue loaded"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &loaded))
		}
	}
	require.NotNil(t, loaded, "no demo summary in the log")
	n := func(key string) int { v, _ := loaded[key].(float64); return int(v) }
	for _, want := range []string{
		grouped(n("regions")) + " regions",
		grouped(n("offices")) + " offices",
		grouped(n("services")) + " services:",
		grouped(n("coreServices")) + " common municipal, district and state",
		grouped(n("federalServices")) + " federal",
		grouped(n("adminServices")) + " services of the state's help",
		grouped(n("bundles")) + " OZG implementation bundles",
	} {
		assert.True(t, strings.Contains(strings.Join(strings.Fields(doc), " "), want), "the README's demo summary does not say %q as the log does", want)
	}
	assert.Equal(t, n("services"), n("coreServices")+n("federalServices")+n("adminServices"))

	post := func(query, token string) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"query": query})
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var r map[string]any
		require.NoError(t, json.Unmarshal(b, &r), "%s", b)
		require.Nil(t, r["errors"], "%s", b)
		return r["data"].(map[string]any)
	}

	read := graphqlBlock(t, doc, `office(id: "`)
	office := post(read, "")["office"].(map[string]any)
	assert.Equal(t, "Magistrat der Stadt Eschwege", office["name"])
	rev := int(office["revision"].(float64))
	id := office["id"].(string)

	// The office the README edits is the one responsible for Gewerbe
	// anmelden in Eschwege, at Obermarkt 22.
	ls := post(`{ localService(leikaKey: "99050012104000", ars: "066360003003") { responsibleOffices { id address { street } } } }`, "")
	offices := ls["localService"].(map[string]any)["responsibleOffices"].([]any)
	require.Len(t, offices, 1)
	assert.Equal(t, id, offices[0].(map[string]any)["id"])

	update := graphqlBlock(t, doc, "updateOffice(")
	assert.Contains(t, update, `updateOffice(id: "`+id+`"`)
	assert.Contains(t, update, "expectedRevision: "+strconv.Itoa(rev), "the update expects the revision the read shows")
	token, _, err := s.Store.CreateEditor(context.Background(), nil, catalog.Editor{Name: "Stadt Eschwege",
		Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)
	updated := post(update, token)["updateOffice"].(map[string]any)
	assert.Greater(t, int(updated["revision"].(float64)), rev)
	assert.NotEmpty(t, updated["openingHours"])
}

// TestREADMEListsEveryErrorCode: a client matches on extensions.code, so
// the README's tables name every code the API answers with.
func TestREADMEListsEveryErrorCode(t *testing.T) {
	doc := readme(t)
	codes := []string{
		catalog.EINVALID, catalog.ENOTFOUND, catalog.ECONFLICT, catalog.EUNAUTHENTICATED, catalog.EFORBIDDEN,
		catalog.ERATELIMITED, catalog.ETIMEOUT, catalog.EINTERNAL,
		"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "DEPTH_LIMIT_EXCEEDED", "COMPLEXITY_LIMIT_EXCEEDED",
		"PERSISTED_QUERY_NOT_FOUND",
		graph.CodeMethodNotAllowed, graph.CodeUnsupportedMediaType, graph.CodeNotAcceptable, graph.CodeInvalidJSON,
		graph.CodeBadRequest, graph.CodeRequestTooLarge, graph.CodeIntrospectionOff, graph.CodeOriginNotAllowed,
	}
	var tables strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "| ") {
			tables.WriteString(line + "\n")
		}
	}
	for _, c := range codes {
		assert.True(t, strings.Contains(tables.String(), "`"+c+"`"), "the README's error tables do not list %s", c)
	}
}
