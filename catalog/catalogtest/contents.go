package catalogtest

import (
	"context"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Contents returns the catalog.Content of every record of the kinds, by
// kind and ID ("service\tHE.LB.0000000001"), for comparing two catalogues
// (a round trip through an exchange format, a load resumed after a kill
// with one that ran through).
func Contents(t testing.TB, st *catalog.Store, kinds ...catalog.Kind) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := st.View(context.Background(), func(tx *catalog.Tx) error {
		for _, k := range kinds {
			err := tx.Each(k, func(r catalog.Record) (bool, error) {
				c, err := catalog.Content(r)
				out[string(k)+"\t"+catalog.MetaOf(r).ID] = string(c)
				return true, err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
