package graph

import (
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestEncodeResponseIsJSONMarshal: the handler's encoder writes the very
// bytes json.Marshal wrote before it, HTML escaping included, for answers
// with and without data, errors and extensions.
func TestEncodeResponseIsJSONMarshal(t *testing.T) {
	yes := true
	fieldErr := &gqlerror.Error{Message: "a <bad> & wrong value", Path: ast.Path{ast.PathName("localService"), ast.PathIndex(0)},
		Extensions: map[string]any{"code": "INVALID", "field": "ars"}}
	for name, resp := range map[string]*graphql.Response{
		"data only":     {Data: json.RawMessage(`{"localService":{"name":"Gewerbe anmelden","texts":[]}}`)},
		"html and seps": {Data: json.RawMessage("{\"t\":\"<b>Fees & dues</b> \u2028 \u2029 \\\" \\\\ \\u0001 ä€\"}"), Extensions: map[string]any{"cost": Cost{Complexity: 3, MaxComplexity: MaxComplexity}}},
		"null data":     {Errors: gqlerror.List{fieldErr}},
		"data, errors and extensions": {Data: json.RawMessage(`{"a":null,"b":[1,2.5,true]}`), Errors: gqlerror.List{fieldErr},
			Extensions: map[string]any{"language": map[string]any{"used": "de", "fallback": true, "reasons": []string{"x<y"}}, "cost": Cost{Depth: 2}}},
		"empty extensions": {Data: json.RawMessage(`{}`), Extensions: map[string]any{}},
		"incremental":      {Data: json.RawMessage(`{"a":1}`), Label: "l", Path: ast.Path{ast.PathName("a")}, HasNext: &yes},
	} {
		want, err := json.Marshal(resp)
		require.NoError(t, err, name)
		got, err := encodeResponse(resp)
		require.NoError(t, err, name)
		assert.Equal(t, string(want), string(got), name)
	}
}
