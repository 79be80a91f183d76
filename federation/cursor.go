package federation

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// b64 is the encoding of cursors, page tokens and JWS parts: base64url
// without padding, strict so that every value has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// Cursor is a position in a publisher's change log: the revision of the
// last entry a consumer has seen and a mark of that entry. The mark lets
// the publisher recognise a cursor that belongs to another history of its
// log (a store restored from an older backup or replaced), which it then
// answers with 410 Gone instead of silently skipping entries.
//
// Consumers treat the text form as opaque: they store the "next" value of
// the last page they applied and send it back as "after".
type Cursor struct {
	Revision uint64
	Mark     uint64
}

const (
	cursorVersion = 1
	cursorLen     = 1 + 8 + 8
)

// String returns the opaque text form; the zero Cursor (the start of the
// log) is the empty string.
func (c Cursor) String() string {
	if c == (Cursor{}) {
		return ""
	}
	var b [cursorLen]byte
	b[0] = cursorVersion
	binary.BigEndian.PutUint64(b[1:9], c.Revision)
	binary.BigEndian.PutUint64(b[9:17], c.Mark)
	return b64.EncodeToString(b[:])
}

// ParseCursor reads the text form of a cursor; "" is the start of the log.
// It fails on anything String did not produce.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	if len(s) != b64.EncodedLen(cursorLen) || !isBase64URL(s) {
		return Cursor{}, errors.New("cursor has the wrong length or characters")
	}
	b, err := b64.DecodeString(s)
	if err != nil || len(b) != cursorLen {
		return Cursor{}, errors.New("cursor is not base64url")
	}
	if b[0] != cursorVersion {
		return Cursor{}, fmt.Errorf("unknown cursor version %d", b[0])
	}
	c := Cursor{Revision: binary.BigEndian.Uint64(b[1:9]), Mark: binary.BigEndian.Uint64(b[9:17])}
	if c.Revision == 0 {
		// The start of the log has exactly one spelling: "".
		return Cursor{}, errors.New("cursor at revision 0 must be empty")
	}
	return c, nil
}

// cursorAt returns the cursor standing on change-log entry c.
func cursorAt(c catalog.Change) Cursor {
	return Cursor{Revision: c.Revision, Mark: changeMark(c)}
}

// changeMark is the first 8 bytes of SHA-256 over the identity of a log
// entry: its revision, commit time, operation, kind, ID and version.
func changeMark(c catalog.Change) uint64 {
	s := strconv.FormatUint(c.Revision, 10) + "\x00" + c.Time.UTC().Format(time.RFC3339Nano) + "\x00" +
		string(c.Op) + "\x00" + string(c.Kind) + "\x00" + c.ID + "\x00" + strconv.Itoa(c.Version)
	sum := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint64(sum[:8])
}

// pageToken is the position in a snapshot: the snapshot's revision and the
// mark of its log entry, the index of the kind in snapshotKinds and the last
// ID served of that kind.
type pageToken struct {
	Revision uint64
	Mark     uint64
	Kind     int
	After    string
}

const (
	tokenVersion = 2
	tokenFixed   = 1 + 8 + 8 + 1
	maxIDLen     = 200
)

func (t pageToken) String() string {
	b := make([]byte, tokenFixed, tokenFixed+len(t.After))
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], t.Revision)
	binary.BigEndian.PutUint64(b[9:17], t.Mark)
	b[17] = byte(t.Kind)
	b = append(b, t.After...)
	return b64.EncodeToString(b)
}

func parsePageToken(s string) (pageToken, error) {
	if s == "" || len(s) > b64.EncodedLen(tokenFixed+maxIDLen) || !isBase64URL(s) {
		return pageToken{}, errors.New("page token has the wrong length or characters")
	}
	b, err := b64.DecodeString(s)
	if err != nil || len(b) < tokenFixed {
		return pageToken{}, errors.New("page token is not base64url")
	}
	if b[0] != tokenVersion {
		return pageToken{}, fmt.Errorf("unknown page token version %d", b[0])
	}
	t := pageToken{Revision: binary.BigEndian.Uint64(b[1:9]), Mark: binary.BigEndian.Uint64(b[9:17]),
		Kind: int(b[17]), After: string(b[18:])}
	if t.Kind >= len(snapshotKinds) {
		return pageToken{}, errors.New("page token names an unknown kind")
	}
	if !validID(t.After) && t.After != "" {
		return pageToken{}, errors.New("page token holds a malformed ID")
	}
	return t, nil
}

// isBase64URL reports whether s uses only the base64url alphabet (the
// decoder would skip line breaks, giving one value two spellings).
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
