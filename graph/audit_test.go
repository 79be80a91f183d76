package graph_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Anonymous createEditor is UNAUTHENTICATED; it and a request with an
// unknown token are in the audit log.
func TestRefusedRequestsAreAudited(t *testing.T) {
	srv, st := smallServer(t)
	errs := call(t, srv, "", `mutation { createEditor(input: {name: "x", role: ADMIN}) { token } }`, nil, nil)
	require.Len(t, errs, 1)
	assert.Equal(t, "UNAUTHENTICATED", errs[0].Extensions["code"])

	resp, _ := postQuery(t, srv, `{ me { role } }`, nil, http.Header{"Authorization": {"Bearer lf_guessed"}})
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	entries, err := st.Audit(context.Background(), 0, 100)
	require.NoError(t, err)
	var ops []string
	for _, e := range entries {
		ops = append(ops, e.Op+" "+e.Outcome)
	}
	assert.Equal(t, []string{"createEditor UNAUTHENTICATED", "authenticate UNAUTHENTICATED"}, ops)
	assert.Equal(t, "127.0.0.1", entries[1].Address)
}
