package graph_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// TestLookupFaultsAreNotHidden: a lookup whose store read fails answers
// INTERNAL, not null as if the record did not exist (a front end would
// show "not found" for an outage). The store is closed under the server.
func TestLookupFaultsAreNotHidden(t *testing.T) {
	st, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"), catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	srv := serve(t, graph.Options{Store: st})
	require.NoError(t, st.Close())
	for name, q := range map[string]string{
		"office":        `{ office(id: "HE.O.0000000001") { name } }`,
		"onlineService": `{ onlineService(id: "HE.OS.0000000001") { title } }`,
		"service":       `{ service(id: "HE.S.0000000001") { name } }`,
	} {
		t.Run(name, func(t *testing.T) {
			errs := call(t, srv, "", q, nil, nil)
			if len(errs) != 1 || errs[0].Extensions["code"] != catalog.EINTERNAL {
				t.Errorf("%s on a failing store: errors %+v, want one INTERNAL", name, errs)
			}
		})
	}
}
