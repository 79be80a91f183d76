package xzufi

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// xmlWriter writes the elements of a transfer document by hand: XÖV code
// types need an unqualified child <code> below qualified elements, which
// encoding/xml's encoder cannot express. Element names are given without
// the "xzufi:" prefix. The first error sticks.
type xmlWriter struct {
	w     *bufio.Writer
	n     int64
	depth int
	err   error
}

func newXMLWriter(w io.Writer) *xmlWriter { return &xmlWriter{w: bufio.NewWriterSize(w, 64<<10)} }

func (x *xmlWriter) raw(s string) {
	if x.err != nil {
		return
	}
	n, err := x.w.WriteString(s)
	x.n += int64(n)
	x.err = err
}

func (x *xmlWriter) escaped(s string) {
	if x.err != nil {
		return
	}
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		x.err = err
		return
	}
	x.raw(b.String())
}

func (x *xmlWriter) indent() {
	x.raw("\n")
	x.raw(strings.Repeat("  ", x.depth))
}

// tag writes a start tag; attrs are name, value pairs.
func (x *xmlWriter) tag(qname string, attrs []string, empty bool) {
	x.indent()
	x.raw("<")
	x.raw(qname)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.raw(" ")
		x.raw(attrs[i])
		x.raw(`="`)
		x.escaped(attrs[i+1])
		x.raw(`"`)
	}
	if empty {
		x.raw("/>")
	} else {
		x.raw(">")
	}
}

func (x *xmlWriter) open(name string, attrs ...string) {
	x.tag("xzufi:"+name, attrs, false)
	x.depth++
}

func (x *xmlWriter) close(name string) {
	x.depth--
	x.indent()
	x.raw("</xzufi:" + name + ">")
}

// leaf writes <xzufi:name attrs>text</xzufi:name>.
func (x *xmlWriter) leaf(name, text string, attrs ...string) {
	if text == "" {
		x.tag("xzufi:"+name, attrs, true)
		return
	}
	x.tag("xzufi:"+name, attrs, false)
	x.escaped(text)
	x.raw("</xzufi:" + name + ">")
}

// code writes an XÖV code type: listURI and listVersionID as attributes,
// the code in an unqualified child element.
func (x *xmlWriter) code(name string, l codeList, code string) {
	x.tag("xzufi:"+name, []string{"listURI", l.uri, "listVersionID", l.version}, false)
	x.raw("<code>")
	x.escaped(code)
	x.raw("</code></xzufi:" + name + ">")
}

// ident writes an identifier with its scheme agency.
func (x *xmlWriter) ident(name, id, agency string) {
	if agency == "" {
		x.leaf(name, id)
		return
	}
	x.leaf(name, id, "schemeAgencyID", agency)
}

// text writes one element per language version (German first), each with
// its languageCode.
func (x *xmlWriter) text(name string, t i18n.Text) {
	for _, lang := range languages(t) {
		x.leaf(name, t[lang].Value, "languageCode", lang)
	}
}

// languages returns the languages of t with a value: de, en, then others
// sorted (the store keeps only de and en).
func languages(t i18n.Text) []string {
	var out []string
	for _, l := range i18n.Supported {
		if v, ok := t[l]; ok && v.Value != "" {
			out = append(out, l)
		}
	}
	return out
}

func (x *xmlWriter) boolean(name string, b bool) { x.leaf(name, strconv.FormatBool(b)) }

func (x *xmlWriter) int(name string, n int64) { x.leaf(name, strconv.FormatInt(n, 10)) }

// timestamp writes a date (xs:date) when t is midnight UTC, else a
// date-time with the full precision and offset, so that reading it back
// gives the same instant in the same zone.
func formatTime(t time.Time) string {
	if t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

func (x *xmlWriter) flush() error {
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}
