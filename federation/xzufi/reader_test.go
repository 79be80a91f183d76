package xzufi

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

const head = `<?xml version="1.0" encoding="UTF-8"?>
<xzufi:transfer.operation.010101 xmlns:xzufi="http://xoev.de/schemata/xzufi/2_2_0" xzufiVersion="2.2.0">
<xzufi:nachrichtenkopf><xzufi:nachrichtUUID>1</xzufi:nachrichtUUID></xzufi:nachrichtenkopf>
`

const leistung = `<xzufi:schreibe><xzufi:leistung>
<xzufi:id schemeAgencyID="SN">SN.LB.1</xzufi:id>
<xzufi:referenzLeiKa listURI="urn:de:fim:leika:leistung" listVersionID="1"><code>99050012104000</code></xzufi:referenzLeiKa>
<xzufi:modulText><xzufi:leikaTextmodul listURI="urn:de:xzufi:codeliste:leistungstextmodulleika" listVersionID="1"><code>02</code></xzufi:leikaTextmodul>
<xzufi:inhalt languageCode="de">Gewerbe anmelden</xzufi:inhalt><xzufi:inhalt languageCode="en-GB">Register a business</xzufi:inhalt></xzufi:modulText>
</xzufi:leistung></xzufi:schreibe>
`

// state is how a real state export looks: office with the region only in
// the address, a zustaendigkeit with several region keys and no id.
const office = `<xzufi:schreibe><xzufi:organisationseinheit>
<xzufi:id schemeAgencyID="S100001">SN.OE.1</xzufi:id>
<xzufi:name><xzufi:name languageCode="de">Landratsamt</xzufi:name></xzufi:name>
<xzufi:anschrift><xzufi:typ listURI="x" listVersionID="1"><code>001</code></xzufi:typ><xzufi:strasse>Markt 1</xzufi:strasse><xzufi:postleitzahl>01067</xzufi:postleitzahl><xzufi:ort>Dresden</xzufi:ort>
<xzufi:verwaltungspolitischeKodierung><xzufi:regionalschluessel listURI="x" listVersionID="1"><code>146120000000</code></xzufi:regionalschluessel></xzufi:verwaltungspolitischeKodierung></xzufi:anschrift>
<xzufi:zustaendigkeit><xzufi:leistungID>SN.LB.1</xzufi:leistungID><xzufi:gebietID>146120000000</xzufi:gebietID><xzufi:gebietID>146270000000</xzufi:gebietID></xzufi:zustaendigkeit>
</xzufi:organisationseinheit></xzufi:schreibe>
<xzufi:loesche klasse="Leistung" id="SN.LB.9"/>
`

const tail = `</xzufi:transfer.operation.010101>
`

func readAll(doc string, lim Limits) ([]*Object, error) {
	r := NewReader(strings.NewReader(doc), "f.xml", lim)
	var out []*Object
	for {
		o, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
}

func TestReadStateExport(t *testing.T) {
	objs, err := readAll(head+leistung+office+tail, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3 {
		t.Fatalf("%d objects, want 3", len(objs))
	}
	s := objs[0].Record.(*catalog.Service)
	if objs[0].Err != nil || s.ID != "SN.LB.1" || s.Texts["02"]["en"].Value != "Register a business" || s.LeikaKeys[0] != "99050012104000" {
		t.Errorf("leistung = %+v %v", s, objs[0].Err)
	}
	o := objs[1]
	if o.Err != nil || o.Record.(*catalog.Office).RegionKey != "146120000000" || o.Agency != "S100001" {
		t.Errorf("office = %+v %v", o.Record, o.Err)
	}
	if len(o.Responsibilities) != 2 || o.Responsibilities[1].RegionKey != "146270000000" || o.Responsibilities[0].ServiceID != "SN.LB.1" ||
		o.Responsibilities[0].ID == o.Responsibilities[1].ID {
		t.Errorf("responsibilities = %+v; want one per region key with distinct IDs", o.Responsibilities)
	}
	if d := objs[2]; !d.Delete || d.Kind != catalog.KindService || d.ID != "SN.LB.9" {
		t.Errorf("loesche = %+v", d)
	}
}

// TestBadDocuments: each is refused as a whole, with file and position.
func TestBadDocuments(t *testing.T) {
	deep := head + "<xzufi:schreibe>" + strings.Repeat("<xzufi:x>", 40) + strings.Repeat("</xzufi:x>", 40) + "</xzufi:schreibe>" + tail
	cases := []struct {
		name, doc string
		lim       Limits
		want      string
	}{
		{"Doctype", strings.Replace(head, "?>", "?><!DOCTYPE x>", 1) + tail, Limits{}, "f.xml:1:"},
		{"ExternalEntity", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + head[38:] + tail, Limits{}, "DOCTYPE"},
		{"UndefinedEntity", head + `<xzufi:schreibe>&e;</xzufi:schreibe>` + tail, Limits{}, "f.xml:4:"},
		{"TooDeep", deep, Limits{}, "deeper than the limit of 32 (Limits.MaxDepth)"},
		{"TooLarge", head + leistung + tail, Limits{MaxBytes: 300}, "larger than the limit of 300 bytes (Limits.MaxBytes)"},
		{"ObjectTooLarge", head + leistung + tail, Limits{MaxObjectBytes: 100}, "limit of 100 bytes for one object (Limits.MaxObjectBytes)"},
		{"WrongNamespace", strings.Replace(head, "2_2_0", "2_3_1", 1) + tail, Limits{}, "f.xml:2:"},
		{"WrongVersion", strings.Replace(head, `"2.2.0"`, `"2.3.1"`, 1) + tail, Limits{}, "xzufiVersion"},
		{"ForeignElement", head + strings.Replace(leistung, "<xzufi:id ", `<x:y xmlns:x="urn:x"/><xzufi:id `, 1) + tail, Limits{}, "namespace urn:x"},
		{"UnknownElement", head + strings.Replace(leistung, "<xzufi:id ", "<xzufi:geheim/><xzufi:id ", 1) + tail, Limits{}, "f.xml:5:16: unknown element <geheim> in <leistung>"},
		{"Truncated", (head + leistung)[:len(head)+200], Limits{}, "f.xml:"},
		{"NoHeader", strings.Replace(head, "<xzufi:nachrichtenkopf><xzufi:nachrichtUUID>1</xzufi:nachrichtUUID></xzufi:nachrichtenkopf>", "", 1) + leistung + tail, Limits{}, "before the nachrichtenkopf"},
		{"Empty", "", Limits{}, "empty document"},
		{"TwoObjects", head + strings.Replace(leistung, "</xzufi:leistung>", "</xzufi:leistung><xzufi:leistung/>", 1) + tail, Limits{}, "holds 2 objects"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(tc.doc, tc.lim)
			var xe *Error
			if !errors.As(err, &xe) || !strings.Contains(err.Error(), tc.want) || xe.Pos.File != "f.xml" || xe.Pos.Line == 0 {
				t.Errorf("err = %v; want an error with file and position saying %q", err, tc.want)
			}
		})
	}
}

// TestInvalidObject: a broken rule rejects only its object, naming the
// position; the document goes on.
func TestInvalidObject(t *testing.T) {
	bad := strings.Replace(leistung, "99050012104000", "9905", 1)
	bad = strings.Replace(bad, "<code>02</code>", "<code>77</code>", 1)
	objs, err := readAll(head+bad+office+tail, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3 || objs[0].Err == nil || objs[0].Record != nil || objs[1].Err != nil {
		t.Fatalf("objects %+v", objs)
	}
	msg := objs[0].Err.Error()
	for _, want := range []string{`f.xml:6:`, `LeiKa key "9905" is not 14 digits`, `"77" is not in the LeiKa text module list`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(head + leistung + office + tail))
	f.Add([]byte(head + tail))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><a>&e;</a>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(strings.NewReader(string(b)), "fuzz.xml", Limits{MaxBytes: 1 << 20})
		for i := 0; i < 10000; i++ {
			o, err := r.Next()
			if err != nil {
				var xe *Error
				if err != io.EOF && !errors.As(err, &xe) {
					t.Fatalf("error without position: %v", err)
				}
				return
			}
			if o.Err == nil && o.Skip == "" && !o.Delete && o.Record == nil && o.Kind != catalog.KindResponsibility {
				t.Fatalf("object without record or error: %+v", o)
			}
		}
		t.Fatal("the reader did not end")
	})
}
