package catalog

import (
	"bytes"
	"encoding/json"
)

// ResponsibilityPlaces returns the region keys where a LeiKa key has a
// responsibility, each once and in key order (the index's order), and whether one of them is
// to an online service. It reads the place index (idx.resp.place) and, for
// the online flag, only that field of each responsibility, so a projection
// (the search index) can ask per service instead of keeping every
// responsibility in memory.
func (tx *Tx) ResponsibilityPlaces(leika string) (ars []string, online bool, err error) {
	prefix := []byte(leika)
	if len(prefix) != 14 {
		return nil, false, nil
	}
	recs := tx.bt.Bucket(recordBucket(KindResponsibility))
	c := tx.bt.Bucket(idxRespPlace).Cursor()
	var only struct {
		Online string `json:"online"`
	}
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) < 26 {
			continue
		}
		place := string(k[14:26])
		if n := len(ars); n == 0 || ars[n-1] != place {
			ars = append(ars, place)
		}
		if !online {
			only.Online = ""
			if err := json.Unmarshal(recs.Get(k[26:]), &only); err != nil {
				return nil, false, Internal(err)
			}
			online = only.Online != ""
		}
	}
	return ars, online, nil
}

// HasResponsibilitiesIn reports whether any responsibility lies at a
// region key that starts with prefix ("06": in Hessen).
func (tx *Tx) HasResponsibilitiesIn(prefix string) bool {
	k, _ := tx.bt.Bucket(idxRespRegion).Cursor().Seek([]byte(prefix))
	return k != nil && bytes.HasPrefix(k, []byte(prefix))
}
