package graph

import (
	"net/http"
	"slices"
	"strings"
)

// CORS lets front ends on other origins call the API from the browser.
//
// Origins is the list of allowed origins ("https://portal.example"); "*"
// in it allows every origin for anonymous reads. A listed origin may send
// credentials (the Authorization header of an editor's token, cookies); an
// origin allowed only by "*" gets "Access-Control-Allow-Origin: *", which
// browsers never combine with credentials, and its preflight does not
// allow Authorization. An origin that is not allowed gets no CORS headers
// at all (its preflight gets 403), so the browser keeps the answer from
// the page. An empty list turns CORS off.
type CORS struct {
	Origins []string
}

// corsMaxAge is how long a browser may keep a preflight's answer (seconds;
// browsers cap it at 2 hours or less).
const corsMaxAge = "7200"

// corsHeaders are the request headers a front end may send: content
// negotiation, ETag revalidation, and the headers Apollo Client sends with
// its (persisted-query) GET requests: the operation name and the
// preflight marker of Apollo's CSRF protection, and the client's name and
// version.
var corsHeaders = []string{
	"Accept", "Accept-Language", "Content-Type", "If-None-Match",
	"Apollo-Require-Preflight", "X-Apollo-Operation-Name",
	"Apollographql-Client-Name", "Apollographql-Client-Version",
}

// ParseOrigins splits a comma-separated list of origins (the -cors-origins
// flag), dropping blanks and a trailing slash.
func ParseOrigins(list string) []string {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o != "" {
			out = append(out, o)
		}
	}
	return out
}

// Handler wraps next with CORS. Preflights (OPTIONS with
// Access-Control-Request-Method) are answered here and never reach next.
func (c CORS) Handler(next http.Handler) http.Handler {
	if len(c.Origins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(c.Origins, "*")
	listed := func(origin string) bool { return origin != "*" && slices.Contains(c.Origins, origin) }
	allowHeaders := strings.Join(corsHeaders, ", ")
	allowHeadersCredentials := strings.Join(append(slices.Clone(corsHeaders), "Authorization"), ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		credentials := listed(origin)
		allowed := credentials || anyOrigin
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed {
				writeError(w, "", http.StatusForbidden, CodeOriginNotAllowed, "this origin may not call the API from a browser (-cors-origins)")
				return
			}
		}
		if allowed {
			headers := allowHeaders
			if credentials {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
				headers = allowHeadersCredentials
			} else {
				h.Set("Access-Control-Allow-Origin", "*")
			}
			if preflight {
				h.Set("Access-Control-Allow-Headers", headers)
				h.Set("Access-Control-Allow-Methods", allowedMethods)
				h.Set("Access-Control-Max-Age", corsMaxAge)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Set("Access-Control-Expose-Headers", "ETag")
		}
		next.ServeHTTP(w, r)
	})
}
