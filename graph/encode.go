package graph

import (
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
)

// encodeResponse returns the JSON of a GraphQL answer, byte for byte what
// json.Marshal(resp) returns, without json.Marshal's second pass over the
// data: gqlgen has already written "data" as compact JSON, and Marshal
// would scan all of it again to compact and validate it (a tenth of a
// service page's CPU). What that pass changes in compact JSON is only the
// HTML escaping of <, >, & and U+2028/U+2029 (gqlgen writes them as they
// are), so that is all this does to it. Errors and extensions are small
// and go through json.Marshal as before.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if resp.Label != "" || len(resp.Path) > 0 || resp.HasNext != nil {
		return json.Marshal(resp) // incremental delivery, which this server does not use
	}
	var errs, ext []byte
	var err error
	if len(resp.Errors) > 0 {
		if errs, err = json.Marshal(resp.Errors); err != nil {
			return nil, err
		}
	}
	if len(resp.Extensions) > 0 {
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			return nil, err
		}
	}
	buf := make([]byte, 0, len(`{"errors":,"data":,"extensions":}`)+len(errs)+htmlEscapedLen(resp.Data)+len(ext))
	buf = append(buf, '{')
	if errs != nil {
		buf = append(buf, `"errors":`...)
		buf = append(buf, errs...)
		buf = append(buf, ',')
	}
	buf = append(buf, `"data":`...)
	if resp.Data == nil {
		buf = append(buf, "null"...)
	} else {
		buf = appendHTMLEscaped(buf, resp.Data)
	}
	if ext != nil {
		buf = append(buf, `,"extensions":`...)
		buf = append(buf, ext...)
	}
	return append(buf, '}'), nil
}

// appendHTMLEscaped appends src with <, >, & and U+2028/U+2029 escaped as
// encoding/json escapes them (json.HTMLEscape, into a slice).
func appendHTMLEscaped(dst, src []byte) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			start = i + 1
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[src[i+2]&0xF])
			start = i + 3
			i += 2
		}
	}
	return append(dst, src[start:]...)
}

// htmlEscapedLen is the length of src after appendHTMLEscaped.
func htmlEscapedLen(src []byte) int {
	n := len(src)
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '<' || c == '>' || c == '&':
			n += 5
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			n += 3
			i += 2
		}
	}
	return n
}
