package federation

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(Cursor{Revision: 1, Mark: 42}.String())
	f.Add(Cursor{Revision: 1<<64 - 1, Mark: 1<<64 - 1}.String())
	f.Add("AQAAAAAAAAAB")
	f.Add("garbage!")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			return
		}
		// One spelling per cursor: what parses prints back the same.
		if got := c.String(); got != s {
			t.Fatalf("ParseCursor(%q).String() = %q", s, got)
		}
	})
}

func FuzzParsePageToken(f *testing.F) {
	f.Add(pageToken{Revision: 5, Mark: 9, Kind: 2, After: "HE.LB.0000000001"}.String())
	f.Add(pageToken{Revision: 5}.String())
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parsePageToken(s)
		if err != nil {
			return
		}
		if got := tok.String(); got != s {
			t.Fatalf("parsePageToken(%q).String() = %q", s, got)
		}
	})
}

// FuzzDecodePage feeds arbitrary bytes to the page decoder and, for pages
// it accepts, to the record decoder and the applier's envelope checks:
// nothing may panic, and an accepted page encodes and decodes to itself.
func FuzzDecodePage(f *testing.F) {
	rec, _ := json.Marshal(&catalog.Office{Meta: catalog.Meta{ID: "BY.OE.1", Origin: "BY", Revision: 3}})
	good, _ := json.Marshal(Page{Portal: "BY", Next: Cursor{Revision: 3, Mark: 1}.String(), Revision: 3, Items: []Item{
		{Op: OpPut, Kind: catalog.KindOffice, ID: "BY.OE.1", Origin: "BY", Revision: 3, Version: 1, Record: rec},
		{Op: OpDelete, Kind: catalog.KindService, ID: "BY.LB.1", Origin: "BY", Revision: 2, Version: 2},
	}})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"portal":"BY","after":"","next":"","revision":0,"more":false,"items":[]}`))
	f.Add([]byte(`{"portal":"BY","items":[{"kind":"office","id":"x","revision":1,"record":[1]}]} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePage(data)
		if err != nil {
			return
		}
		for i := range p.Items {
			decodeRecord(&p.Items[i])
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := DecodePage(again)
		if err != nil {
			t.Fatalf("re-encoded page does not decode: %v\n%s", err, again)
		}
		again2, _ := json.Marshal(q)
		if !bytes.Equal(again, again2) {
			t.Fatalf("page does not survive a round trip:\n%s\n%s", again, again2)
		}
	})
}

func FuzzDecodeSnapshot(f *testing.F) {
	m, _ := json.Marshal(Manifest{Portal: "BY", Revision: 0, Count: 0, Digest: CanonicalDigest(nil), First: pageToken{}.String()})
	f.Add(m)
	f.Add([]byte(`{"portal":"BY","revision":1,"page":"x","next":"","items":[{"op":"put","kind":"region","id":"0","revision":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		DecodeManifest(data)
		DecodeSnapshotPage(data)
	})
}

// FuzzVerify: no header, key or payload makes Verify panic or accept a
// signature the key did not make.
func FuzzVerify(f *testing.F) {
	seed := bytes.Repeat([]byte{1}, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	keys := []PublicKey{{ID: "k", Key: key.Public().(ed25519.PublicKey)}}
	f.Add(Sign(key, "k", []byte("{}")), []byte("{}"))
	f.Add("eyJhbGciOiJub25lIn0..", []byte("{}"))
	f.Fuzz(func(t *testing.T, jws string, payload []byte) {
		if Verify(keys, jws, payload) == nil && Sign(key, "k", payload) != jws {
			// Ed25519 signatures are deterministic, and the header is
			// ours: anything else that verifies is a forgery (or a
			// header spelled differently, which must then still be EdDSA
			// with kid k).
			var h jwsHeader
			raw, _ := b64.DecodeString(jws[:bytes.IndexByte([]byte(jws), '.')])
			if json.Unmarshal(raw, &h) != nil || h.Alg != "EdDSA" {
				t.Fatalf("accepted %q", jws)
			}
		}
	})
}
