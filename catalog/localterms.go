package catalog

// LocalTerms returns the published local additions of terms in context
// (Specialisation.Terms) to the service of a LeiKa key, in region key
// order: what the search indexes for the places of their regions.
func (tx *Tx) LocalTerms(leika string) ([]*Specialisation, error) {
	var ids []string
	prefix := []byte(leika)
	tx.scanKeys(idxSpecPlace, prefix, func(k []byte) bool {
		if len(k) > len(prefix)+12 {
			ids = append(ids, string(k[len(prefix)+12:]))
		}
		return true
	})
	var out []*Specialisation
	for _, id := range ids {
		sp, err := tx.Specialisation(id)
		if err != nil {
			return nil, err
		}
		if sp.Status == StatusPublished && len(sp.Terms) > 0 {
			out = append(out, sp)
		}
	}
	return out, nil
}
