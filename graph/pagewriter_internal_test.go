package graph

import (
	"bytes"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestPageWriterScalarsAreGqlgens: the service page's writer formats
// strings, times, numbers, booleans and languages exactly as gqlgen's
// marshallers do, including what the demo catalogue never contains
// (control characters, broken UTF-8, the zero time).
func TestPageWriterScalarsAreGqlgens(t *testing.T) {
	gql := func(m graphql.Marshaler) string {
		var b bytes.Buffer
		m.MarshalGQL(&b)
		return b.String()
	}
	for _, s := range []string{"", "Gewerbe anmelden", `"quoted" \back\slash`, "tab\tcr\rlf\n nul\x00 bell\x07 esc\x1b unit\x1f del\x7f",
		"<p>Fees & dues</p>", "ä ö ü ß € 😀 \u2028\u2029", "broken \xff\xfe utf-8 \xc3", "\\u0041"} {
		assert.Equal(t, gql(graphql.MarshalString(s)), string(appendGQLString(nil, s)), "%q", s)
	}
	berlin := time.FixedZone("CEST", 2*60*60)
	for _, tm := range []time.Time{{}, time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 123456789, berlin)} {
		w := pageWriter{}
		w.optTime(&tm)
		assert.Equal(t, gql(graphql.MarshalTime(tm)), string(w.buf), "%v", tm)
	}
	w := pageWriter{}
	w.optTime(nil)
	w.optInt(nil)
	w.optStr(nil)
	assert.Equal(t, "nullnullnull", string(w.buf))
	assert.False(t, w.invalid, "a null in a nullable field is no error")
	for _, n := range []int{0, -1, 4250, 1 << 40} {
		w := pageWriter{}
		w.integer(n)
		assert.Equal(t, gql(graphql.MarshalInt(n)), string(w.buf))
	}
	for _, b := range []bool{true, false} {
		w := pageWriter{}
		w.boolean(b)
		assert.Equal(t, gql(graphql.MarshalBoolean(b)), string(w.buf))
	}
	for _, l := range AllLang {
		w := pageWriter{}
		w.lang(l)
		assert.Equal(t, gql(l), string(w.buf))
	}
	w = pageWriter{}
	w.localized(nil, nil, true)
	assert.True(t, w.invalid, "a null in a non-null field leaves the answer to gqlgen")
}

// TestPageSupported: the writer takes the selections of bench's page and
// lookup, fragments and @skip/@include, and leaves to gqlgen what it does
// not write: fields behind the views, @defer, fragments on other types.
func TestPageSupported(t *testing.T) {
	for q, want := range map[string]bool{
		`{ localService(leikaKey: "1", ars: "2") { name region { name } responsibleOffices { name address { street postalCode city } } } }`:                                 true,
		`{ localService(leikaKey: "1", ars: "2") { name texts { code label text { text language isFallback } } fees { kind formatted description { text } } } }`:            true,
		`{ localService(leikaKey: "1", ars: "2") { ...F responsibleOffices { name @skip(if: true) ... @include(if: false) { id } } } } fragment F on LocalService { name }`: true,
		`{ localService(leikaKey: "1", ars: "2") { text(module: "06") { code } } }`:                                                                                         true,
		`{ localService(leikaKey: "1", ars: "2") { name service { name } } }`:                                                                                               false,
		`{ localService(leikaKey: "1", ars: "2") { region { parent { name } } } }`:                                                                                          false,
		`{ localService(leikaKey: "1", ars: "2") { responsibleOffices { office { id } } } }`:                                                                                false,
		`{ localService(leikaKey: "1", ars: "2") { ... @defer { name } } }`:                                                                                                 false,
		`{ localService(leikaKey: "1", ars: "2") { ...F } } fragment F on Service { name }`:                                                                                 false,
		`{ localService(leikaKey: "1", ars: "2") { name @deprecated } }`:                                                                                                    false,
		`{ localService(leikaKey: "1", ars: "2") { texts { text { text(format: HTML) } } } }`:                                                                               false,
		`{ localService(leikaKey: "1", ars: "2") { fees { description { text } } onlineServices { links { url } } } }`:                                                      true,
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if !assert.NoError(t, err, q) {
			continue
		}
		root := doc.Operations[0].SelectionSet[0].(*ast.Field)
		assert.Equal(t, want, pageSupported(doc.Fragments, root.SelectionSet, "LocalService", 0), q)
	}
}
