package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The GraphQL-over-HTTP transport (https://graphql.github.io/graphql-over-http/):
// how a request's parameters are read and which media type answers it.
// Everything here happens before GraphQL sees the request, so every refusal
// is a transport error: an HTTP status, a JSON body {"errors": [...]} without
// "data", and one of the codes below in extensions.code.

// Transport error codes (extensions.code of requests refused before
// GraphQL runs). The README lists them beside the GraphQL ones.
const (
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"     // 405: not GET or POST, or a mutation over GET
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE" // 415: POST without Content-Type application/json (UTF-8)
	CodeNotAcceptable        = "NOT_ACCEPTABLE"         // 406: Accept names neither JSON media type
	CodeInvalidJSON          = "INVALID_JSON"           // 400: the body, or GET variables/extensions, are not JSON
	CodeBadRequest           = "BAD_REQUEST"            // 400: a parameter is missing or has the wrong type
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"      // 413: body or query string above MaxRequestBytes
	CodeIntrospectionOff     = "INTROSPECTION_DISABLED" // introspection is turned off on this server
	CodeOriginNotAllowed     = "ORIGIN_NOT_ALLOWED"     // 403: a CORS preflight from an origin not in -cors-origins
)

// Response media types.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// transportError is a request refused by the transport.
type transportError struct {
	status int
	code   string
	msg    string
}

func (e *transportError) Error() string { return e.msg }

func refuse(status int, code, msg string) *transportError {
	return &transportError{status: status, code: code, msg: msg}
}

// negotiate picks the response media type from the Accept header: the
// GraphQL response type when the client prefers it, else JSON. No header,
// */* and application/* mean JSON (the spec's legacy default). ok is false
// when the header accepts neither.
func negotiate(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	type option struct {
		media string
		q     float64
		order int
	}
	var opts []option
	for i, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		switch mt {
		case mediaGraphQLResponse, mediaJSON:
			opts = append(opts, option{mt, q, i})
		case "*/*", "application/*":
			opts = append(opts, option{mediaJSON, q, i})
		}
	}
	if len(opts) == 0 {
		return "", false
	}
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].q > opts[j].q })
	return opts[0].media, true
}

// postContentType checks that a POST says it sends JSON in UTF-8.
func postContentType(r *http.Request) *transportError {
	ct := r.Header.Get("Content-Type")
	if ct == mediaJSON {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != mediaJSON {
		return refuse(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "a POST needs Content-Type: application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return refuse(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, "the body must be UTF-8")
	}
	return nil
}

// requestParams reads the GraphQL parameters of a GET (query string) or a
// POST (JSON body; postContentType has checked its type). The body's bytes are never echoed in an error: they
// may hold anything, and the client has them already.
func requestParams(r *http.Request, body []byte) (*graphql.RawParams, *transportError) {
	p := &graphql.RawParams{Headers: r.Header}
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, refuse(http.StatusBadRequest, CodeBadRequest, "the query string is not URL-encoded")
		}
		p.Query, p.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := decodeObject([]byte(v), &p.Variables); err != nil {
				return nil, refuse(http.StatusBadRequest, CodeInvalidJSON, "variables must be a JSON object")
			}
		}
		if v := q.Get("extensions"); v != "" {
			if err := decodeObject([]byte(v), &p.Extensions); err != nil {
				return nil, refuse(http.StatusBadRequest, CodeInvalidJSON, "extensions must be a JSON object")
			}
		}
		if p.Query == "" && p.Extensions["persistedQuery"] == nil {
			return nil, refuse(http.StatusBadRequest, CodeBadRequest, "the query parameter is missing")
		}
		return p, nil
	}

	if len(bytes.TrimSpace(body)) == 0 {
		return nil, refuse(http.StatusBadRequest, CodeBadRequest, "the body is empty; send {\"query\": \"...\"}")
	}
	// One pass over the body: the parameters stay raw until their types
	// are checked one by one.
	var raw struct {
		Query, OperationName, Variables, Extensions json.RawMessage
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, refuse(http.StatusBadRequest, CodeBadRequest, "the body must be a JSON object with a query")
		}
		return nil, refuse(http.StatusBadRequest, CodeInvalidJSON, "the body is not valid JSON")
	}
	str := func(name string, v json.RawMessage, dst *string) *transportError {
		if len(v) == 0 || isNull(v) {
			return nil
		}
		if plain, ok := plainJSONString(v); ok {
			*dst = plain
			return nil
		}
		if v[0] != '"' || json.Unmarshal(v, dst) != nil {
			return refuse(http.StatusBadRequest, CodeBadRequest, name+" must be a string")
		}
		return nil
	}
	obj := func(name string, v json.RawMessage, dst *map[string]any) *transportError {
		if len(v) == 0 || isNull(v) {
			return nil
		}
		if decodeObject(v, dst) != nil {
			return refuse(http.StatusBadRequest, CodeBadRequest, name+" must be a JSON object")
		}
		return nil
	}
	if e := str("query", raw.Query, &p.Query); e != nil {
		return nil, e
	}
	if e := str("operationName", raw.OperationName, &p.OperationName); e != nil {
		return nil, e
	}
	if e := obj("variables", raw.Variables, &p.Variables); e != nil {
		return nil, e
	}
	if e := obj("extensions", raw.Extensions, &p.Extensions); e != nil {
		return nil, e
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, refuse(http.StatusBadRequest, CodeBadRequest, "the query parameter is missing")
	}
	return p, nil
}

var errNotObject = errors.New("not a JSON object")

// decodeObject decodes exactly one JSON object, numbers kept as
// json.Number as gqlgen expects.
func decodeObject(b []byte, dst *map[string]any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errNotObject
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// plainJSONString returns the value of v, a JSON string of a document
// json.Unmarshal has validated, when it has no escapes and is valid UTF-8:
// its bytes between the quotes, as json.Unmarshal would decode them, without
// decoding it again.
func plainJSONString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	in := v[1 : len(v)-1]
	for _, c := range in {
		if c < 0x20 || c == '\\' || c == '"' {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// errorBody is a response that carries only errors: a request GraphQL did
// not run has no "data" entry at all.
type errorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeError answers a request refused before GraphQL execution, in the
// GraphQL response shape (media type, JSON when empty), with a stable code.
func writeError(w http.ResponseWriter, media string, status int, code, msg string) {
	if media == "" {
		media = mediaJSON
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}})
}
