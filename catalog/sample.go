package catalog

// SamplePlaces returns up to n (LeiKa key, place) pairs spread over the
// catalogue, for benchmarks and tests that look services up for places:
// published services in ID order, each at one of its responsibilities'
// places, walked down to a municipality. The same catalogue gives the same
// pairs.
func (tx *Tx) SamplePlaces(n int) ([][2]string, error) {
	var keys []string
	err := tx.Each(KindService, func(r Record) (bool, error) {
		if s := r.(*Service); s.Status == StatusPublished && len(s.LeikaKeys) > 0 {
			keys = append(keys, s.LeikaKeys[0])
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for i := 0; i < n && len(keys) > 0; i++ {
		key := keys[(i*7919)%len(keys)]
		places, _, err := tx.ResponsibilityPlaces(key)
		if err != nil {
			return nil, err
		}
		if len(places) == 0 {
			continue
		}
		ars := places[(i*31)%len(places)]
		for depth := 0; depth < 4; depth++ {
			kids := tx.Children(ars)
			if len(kids) == 0 {
				break
			}
			ars = kids[i%len(kids)]
		}
		out = append(out, [2]string{key, ars})
	}
	return out, nil
}
