package graph

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlainJSONStringAsUnmarshal: the transport's shortcut for a query
// string gives what json.Unmarshal gives, and leaves escapes, broken
// UTF-8 and anything not a string to it.
func TestPlainJSONStringAsUnmarshal(t *testing.T) {
	for _, raw := range []string{`""`, `"{ search(query: \"x\") { totalCount } }"`, `"query($q: String!) { search(query: $q) { totalCount } }"`,
		`"Führerschein ä ö ü ß € 😀"`, `"tab\tnewline\n"`, `"\u00e4"`, "\"broken \xff utf-8\"", `"a\\b"`, `"<script>&"`} {
		var want string
		require.NoError(t, json.Unmarshal([]byte(raw), &want), raw)
		if got, ok := plainJSONString(json.RawMessage(raw)); ok {
			assert.Equal(t, want, got, raw)
			assert.NotContains(t, raw, `\`, "escapes are json.Unmarshal's")
		}
	}
	for _, raw := range []string{`null`, `42`, `{"a":1}`, `["x"]`, `"`, ``} {
		_, ok := plainJSONString(json.RawMessage(raw))
		assert.False(t, ok, raw)
	}
	_, ok := plainJSONString(json.RawMessage(`"Kindergeld"`))
	assert.True(t, ok, "a plain string takes the shortcut")
}
