package xzufi

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Limits bound what a reader accepts from one document. A document beyond
// them is refused with an error naming the limit.
type Limits struct {
	// MaxBytes is the largest document (256 MiB if 0).
	MaxBytes int64
	// MaxDepth is the deepest element nesting (32 if 0; the export's is 9).
	MaxDepth int
	// MaxObjectBytes is the largest single object (schreibe element): 64
	// MiB if 0.
	MaxObjectBytes int64
}

func (l *Limits) defaults() {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 256 << 20
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 32
	}
	if l.MaxObjectBytes <= 0 {
		l.MaxObjectBytes = 64 << 20
	}
}

// Position is a place in a document: file, line and column (1-based).
type Position struct {
	File string
	Line int
	Col  int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is a document that cannot be read, or an object that cannot be
// taken, with the position of the offending element.
type Error struct {
	Pos Position
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Object is one object of a transfer document, decoded into catalogue
// records.
type Object struct {
	// Kind is the record kind: service (leistung), office
	// (organisationseinheit), onlineService (onlinedienst),
	// specialisation (spezialisierung), or responsibility for a
	// zustaendigkeitTransferObjekt and for a loesche of class Zustaendigkeit.
	Kind catalog.Kind
	ID   string
	// Agency is the id's schemeAgencyID.
	Agency string
	Pos    Position
	// Delete is set for a loesche: the record is to be deleted.
	Delete bool
	// Record is the decoded record (nil for deletions, for invalid objects
	// and for a zustaendigkeitTransferObjekt).
	Record catalog.Record
	// Responsibilities are the zustaendigkeit entries of an office or
	// online service, or of a zustaendigkeitTransferObjekt: one per region
	// key. Their LeiKa key is resolved from the service they name when
	// they are applied.
	Responsibilities []Responsibility
	// Skip says why an object of a type the catalogue does not store
	// (formular) was passed over.
	Skip string
	// Err is set when the object is invalid (an unknown code, a malformed
	// key, a missing required element): it is rejected, the rest of the
	// document is not affected.
	Err error
}

// Responsibility is one zustaendigkeit for one region key.
type Responsibility struct {
	// ID is the zustaendigkeit's id; one with several region keys gives
	// IDs id, id.2, id.3, ... for the second and later keys.
	ID string
	// HolderKind and HolderID are the office or online service it belongs
	// to (HolderKind is empty for a zustaendigkeitTransferObjekt: the
	// holder is looked up among both).
	HolderKind catalog.Kind
	HolderID   string
	ServiceID  string
	RegionKey  string
	Role       catalog.Role
	Validity   catalog.Validity
	Pos        Position
}

// Reader reads the objects of one transfer document as a stream: memory
// is bounded by the largest object, not by the document.
type Reader struct {
	name  string
	d     *xml.Decoder
	lim   Limits
	depth int
	// Header facts, once read.
	Sender   string
	Revision string
	started  bool
	done     bool
	kopf     int
	err      error
}

// errTooLarge is returned by the size-limited input.
type limitedReader struct {
	r    io.Reader
	left int64
	max  int64
}

var errTooLarge = errors.New("document too large")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// NewReader returns a reader of the document r; name is used in errors.
func NewReader(r io.Reader, name string, lim Limits) *Reader {
	lim.defaults()
	d := xml.NewDecoder(&limitedReader{r: r, left: lim.MaxBytes, max: lim.MaxBytes})
	d.Strict = true
	// No entities beyond XML's five: a document cannot make the reader
	// fetch or expand anything.
	d.Entity = nil
	d.CharsetReader = nil
	return &Reader{name: name, d: d, lim: lim}
}

func (r *Reader) pos() Position {
	line, col := r.d.InputPos()
	return Position{File: r.name, Line: line, Col: col}
}

func (r *Reader) errorf(format string, args ...any) error {
	return &Error{Pos: r.pos(), Msg: fmt.Sprintf(format, args...)}
}

// token returns the next token, translating decoder failures into errors
// with the position and the limits by name.
func (r *Reader) token() (xml.Token, error) {
	t, err := r.d.Token()
	if err != nil {
		switch {
		case errors.Is(err, errTooLarge):
			return nil, r.errorf("document larger than the limit of %d bytes (Limits.MaxBytes)", r.lim.MaxBytes)
		case err == io.EOF:
			return nil, err
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Pos: Position{File: r.name, Line: se.Line, Col: r.pos().Col}, Msg: "XML: " + se.Msg}
		}
		return nil, r.errorf("XML: %v", err)
	}
	switch t := t.(type) {
	case xml.StartElement:
		r.depth++
		if r.depth > r.lim.MaxDepth {
			return nil, r.errorf("elements nested deeper than the limit of %d (Limits.MaxDepth)", r.lim.MaxDepth)
		}
		if err := r.checkNamespace(t.Name); err != nil {
			return nil, err
		}
	case xml.EndElement:
		r.depth--
	case xml.Directive:
		return nil, r.errorf("DOCTYPE and other declarations are not allowed (no DTDs, no external entities)")
	case xml.ProcInst:
		if t.Target != "xml" {
			return nil, r.errorf("processing instruction <?%s?> is not allowed", t.Target)
		}
		if enc := procInstEncoding(t.Inst); enc != "" && !strings.EqualFold(enc, "UTF-8") {
			return nil, r.errorf("encoding %q is not supported: documents are UTF-8", enc)
		}
	}
	return t, nil
}

func procInstEncoding(inst []byte) string {
	s := string(inst)
	i := strings.Index(s, "encoding=")
	if i < 0 {
		return ""
	}
	s = s[i+len("encoding="):]
	if len(s) < 2 {
		return ""
	}
	q := s[0]
	end := strings.IndexByte(s[1:], q)
	if end < 0 {
		return ""
	}
	return s[1 : 1+end]
}

// checkNamespace allows elements of the XZuFi namespace, and the
// unqualified children of XÖV code types.
func (r *Reader) checkNamespace(n xml.Name) error {
	switch {
	case n.Space == Namespace:
		return nil
	case n.Space == "" && (n.Local == "code" || n.Local == "name"):
		return nil
	case n.Space == "":
		return r.errorf("element <%s> has no namespace; XZuFi 2.2 elements are in %s", n.Local, Namespace)
	}
	return r.errorf("element <%s> is in namespace %s, not XZuFi 2.2's %s", n.Local, n.Space, Namespace)
}

// start reads the prologue up to the root element and checks it.
func (r *Reader) start() error {
	for {
		t, err := r.token()
		if err == io.EOF {
			return r.errorf("empty document: no root element")
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			version := ""
			for _, a := range t.Attr {
				if a.Name.Local == "xzufiVersion" {
					version = a.Value
				}
			}
			if version != Version && version != "2.2" {
				return r.errorf("root element <%s> has xzufiVersion %q; this reader takes %s", t.Name.Local, version, Version)
			}
			return nil
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return r.errorf("text before the root element")
			}
		}
	}
}

// Next returns the next object, or io.EOF after the last one. Any other
// error is about the document as a whole (not well-formed, truncated, a
// DOCTYPE, a limit, a wrong namespace, an unknown element): the reader
// stops, and nothing of the document should be applied. An object that is
// merely invalid comes back with Object.Err set instead.
func (r *Reader) Next() (*Object, error) {
	if r.err != nil {
		return nil, r.err
	}
	o, err := r.next()
	if err != nil {
		r.err = err
	}
	return o, err
}

func (r *Reader) next() (*Object, error) {
	if r.done {
		return nil, io.EOF
	}
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			return nil, err
		}
	}
	for {
		t, err := r.token()
		if err == io.EOF {
			return nil, r.errorf("document ends before its root element is closed (truncated?)")
		}
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.EndElement: // the root
			if r.kopf == 0 {
				return nil, r.errorf("the document has no nachrichtenkopf")
			}
			if err := r.finish(); err != nil {
				return nil, err
			}
			r.done = true
			return nil, io.EOF
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return nil, r.errorf("text between the elements of the document")
			}
		case xml.StartElement:
			pos := r.pos()
			n, err := r.tree(t)
			if err != nil {
				return nil, err
			}
			switch t.Name.Local {
			case "nachrichtenkopf":
				r.kopf++
				if r.kopf > 1 {
					return nil, &Error{Pos: pos, Msg: "a second nachrichtenkopf"}
				}
				if s := n.child("sender"); s != nil {
					r.Sender = s.text
				}
				if s := n.child("revision"); s != nil {
					r.Revision = s.text
				}
			case "transaktionID", "transaktionPosition":
			case "schreibe":
				if r.kopf == 0 {
					return nil, &Error{Pos: pos, Msg: "schreibe before the nachrichtenkopf"}
				}
				return decodeWrite(n)
			case "loesche":
				if r.kopf == 0 {
					return nil, &Error{Pos: pos, Msg: "loesche before the nachrichtenkopf"}
				}
				return decodeDelete(n)
			default:
				return nil, &Error{Pos: n.pos, Msg: fmt.Sprintf("unknown element <%s> in a transfer document (expected nachrichtenkopf, schreibe or loesche)", t.Name.Local)}
			}
		}
	}
}

// finish checks that nothing but whitespace and comments follows the root.
func (r *Reader) finish() error {
	for {
		t, err := r.token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return r.errorf("text after the root element")
			}
		case xml.Comment:
		default:
			return r.errorf("content after the root element")
		}
	}
}

// node is an element of one object, read into memory.
type node struct {
	local string
	attrs []xml.Attr
	text  string
	kids  []*node
	pos   Position
}

// tree reads the element started by st into a node, within the object
// size limit.
func (r *Reader) tree(st xml.StartElement) (*node, error) {
	startOff := r.d.InputOffset()
	root := &node{local: st.Name.Local, attrs: st.Attr, pos: r.pos()}
	stack := []*node{root}
	text := [][]byte{nil}
	for len(stack) > 0 {
		t, err := r.token()
		if err == io.EOF {
			return nil, r.errorf("document ends inside <%s> (truncated?)", stack[len(stack)-1].local)
		}
		if err != nil {
			return nil, err
		}
		if r.d.InputOffset()-startOff > r.lim.MaxObjectBytes {
			return nil, &Error{Pos: root.pos, Msg: fmt.Sprintf("<%s> is larger than the limit of %d bytes for one object (Limits.MaxObjectBytes)", root.local, r.lim.MaxObjectBytes)}
		}
		switch t := t.(type) {
		case xml.StartElement:
			n := &node{local: t.Name.Local, attrs: t.Attr, pos: r.pos()}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
			text = append(text, nil)
		case xml.EndElement:
			top := stack[len(stack)-1]
			if len(top.kids) == 0 {
				top.text = string(text[len(text)-1])
			}
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		case xml.CharData:
			text[len(text)-1] = append(text[len(text)-1], t...)
		}
	}
	return root, nil
}

func (n *node) attr(name string) string {
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *node) child(name string) *node {
	for _, k := range n.kids {
		if k.local == name {
			return k
		}
	}
	return nil
}

func (n *node) children(name string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.local == name {
			out = append(out, k)
		}
	}
	return out
}
