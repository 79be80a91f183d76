package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// Limits on what one request may ask for. They keep a hostile or careless
// query from tying up the server; each breach gets a stable error code.
const (
	MaxRequestBytes = 64 << 10 // body of a POST, or the query string of a GET
	MaxDepth        = 12       // nesting of selections
	MaxComplexity   = 1000     // gqlgen's complexity: one per field, times list sizes where declared
	MaxTokens       = 5000     // lexer tokens of one document
)

// Options configure the GraphQL HTTP handler.
type Options struct {
	Store  *catalog.Store
	Search *search.Index
	// Mirror reports the peers' mirroring state; FanOut asks peers live
	// for federated search. Both may be nil.
	Mirror *federation.Mirror
	FanOut *federation.FanOut
	Logger *slog.Logger
	// CacheMaxAge is the Cache-Control max-age of anonymous GET answers.
	CacheMaxAge time.Duration
	// RateLimits bound mutations per token and address; zero means
	// DefaultRateLimits.
	RateLimits RateLimits
	// ResponseCache is how many anonymous answers to keep (see
	// responseCache); 0 disables the cache.
	ResponseCache int
	// QueryLog is the anonymous search log (searchFeedback,
	// searchInsights); nil logs nothing.
	QueryLog *search.QueryLog
}

// NewHandler returns the GraphQL endpoint: POST and GET (queries only) per
// GraphQL over HTTP, with limits, the error presenter, panic recovery,
// language negotiation, automatic persisted queries and, for GET, ETag and
// Cache-Control.
func NewHandler(cfg Options) http.Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res := &Resolver{Store: cfg.Store, Index: cfg.Search, Mirror: cfg.Mirror, FanOut: cfg.FanOut, QueryLog: cfg.QueryLog}
	limits := cfg.RateLimits
	if limits == (RateLimits{}) {
		limits = DefaultRateLimits
	}
	lim := &limiter{limits: limits, now: cfg.Store.Now}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: res, Complexity: complexity()}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(MaxTokens)
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(depthLimit{max: MaxDepth})
	srv.SetErrorPresenter(errorPresenter(log))
	srv.SetRecoverFunc(recoverFunc(log))
	srv.AroundRootFields(langRootMiddleware)
	srv.AroundResponses(langResponseMiddleware)
	srv.AroundRootFields(lim.rootFieldMiddleware)

	maxAge := int(cfg.CacheMaxAge.Seconds())
	var cache *responseCache
	if cfg.ResponseCache > 0 {
		cache = newResponseCache(cfg.ResponseCache, 30*time.Second)
	}
	revision := func() uint64 {
		rev := cfg.Store.Revision()
		if cfg.Search != nil {
			rev = rev<<20 ^ cfg.Search.Revision() // the index may lag the store by a moment
		}
		return rev
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use GET for queries or POST")
			return
		}
		if len(r.URL.RawQuery) > MaxRequestBytes || r.ContentLength > MaxRequestBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request is larger than "+strconv.Itoa(MaxRequestBytes)+" bytes")
			return
		}
		var body []byte
		if r.Method == http.MethodPost {
			var err error
			body, err = readLimited(r, MaxRequestBytes)
			if err != nil {
				writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request is larger than "+strconv.Itoa(MaxRequestBytes)+" bytes")
				return
			}
			r.Body = http.NoBody
			if len(body) > 0 {
				r.Body = readCloser{bytes.NewReader(body)}
			}
		}
		principal, err := authenticate(cfg.Store, r)
		if err != nil {
			writeError(w, http.StatusUnauthorized, catalog.ErrorCode(err), catalog.ErrorMessage(err))
			return
		}
		ctx := withLang(r.Context(), r.Header.Get("Accept-Language"))
		ctx = context.WithValue(ctx, principalKey{}, principal)
		ctx = context.WithValue(ctx, loadersKey{}, newLoaders(cfg.Store))
		r = r.WithContext(ctx)
		anonymous := r.Header.Get("Authorization") == ""
		if !anonymous || (r.Method != http.MethodGet && cache == nil) {
			srv.ServeHTTP(w, r)
			return
		}
		var key [32]byte
		var rev uint64
		var rec *cachedResponse
		if cache != nil {
			key, rev = cacheKey(r, body), revision()
			rec = cache.get(key, rev)
			if rec != nil && cfg.QueryLog != nil {
				// A search answered from the cache is still a search.
				for _, s := range rec.searches {
					cfg.QueryLog.Record(s.query, s.hits)
				}
			}
		}
		if rec == nil {
			bw := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
			log := &searchesLogged{}
			srv.ServeHTTP(bw, r.WithContext(context.WithValue(r.Context(), searchesKey{}, log)))
			rec = &cachedResponse{key: key, rev: rev, status: bw.status, header: bw.header, body: bw.body.Bytes(), created: time.Now(),
				searches: log.list()}
			if cache != nil && rec.status == http.StatusOK && !bytes.Contains(rec.body, []byte(`"errors":`)) {
				cache.put(rec)
			}
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Vary", "Accept, Accept-Language, Authorization")
		if r.Method == http.MethodGet {
			// Anonymous GET: an ETag over the body, and 304 when the
			// client has it already.
			if rec.status == http.StatusOK && !bytes.Contains(rec.body, []byte(`"errors":`)) {
				sum := sha256.Sum256(rec.body)
				etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
				w.Header().Set("ETag", etag)
				w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
				if r.Header.Get("If-None-Match") == etag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
			} else {
				w.Header().Set("Cache-Control", "no-store")
			}
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body)
	})
}

// Playground returns GraphiQL for people who explore the API by hand.
func Playground(endpoint string) http.Handler {
	return playground.Handler("Leistungsfinder", endpoint)
}

func readLimited(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || n >= limit {
			return nil, errTooLarge
		}
		return nil, err
	}
	return buf.Bytes(), nil
}

var errTooLarge = errors.New("request too large")

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// writeError answers a request that never reached GraphQL execution in the
// GraphQL response shape, with a stable code.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}})
}

type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(status int)      { b.status = status }

// depthLimit refuses operations nested deeper than max.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0); depth > d.max {
		err := gqlerror.Errorf("the query is nested %d levels deep; at most %d are allowed", depth, d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) int {
	if seen > 64 {
		return seen // a fragment cycle; validation reports it
	}
	deepest := 0
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) > 0 {
				d = 1 + selectionDepth(s.SelectionSet, frags, seen+1)
			} else {
				d = 1
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, seen+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, frags, seen+1)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// complexity makes list fields cost their length times their children, so
// that the complexity limit bounds the work a query can cause.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	page := func(first *int) int {
		if first == nil {
			return defaultPageSize
		}
		return max(1, min(*first, maxPageSize))
	}
	c.Query.Services = func(child int, _ *ServiceFilter, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.Regions = func(child int, _ *string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.Offices = func(child int, _ string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.ImplementationBundles = func(child int, _ *Lang) int { return 1 + 30*child }
	c.ImplementationBundle.Services = func(child int) int { return 1 + 20*child }
	c.Region.Children = func(child int) int { return 1 + 30*child }
	c.Service.ImplementationBundles = func(child int) int { return 1 + 2*child }
	return c
}
