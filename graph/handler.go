package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/i18n"
	"github.com/leistungsfinder/leistungsfinder/search"
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
	// Metrics records operations, the response cache and searches; nil
	// records nothing.
	Metrics *Metrics
	// CacheMaxAge is the Cache-Control max-age of anonymous GET answers.
	CacheMaxAge time.Duration
	// RateLimits bound mutations per token and address; zero means
	// DefaultRateLimits.
	RateLimits RateLimits
	// ResponseCache is how many anonymous answers to keep (see
	// responseCache); 0 disables the cache.
	ResponseCache int
	// DisableIntrospection refuses __schema and __type (code
	// INTROSPECTION_DISABLED). Introspection is on by default: GraphiQL
	// and client code generators need it.
	DisableIntrospection bool
	// QueryLog is the anonymous search log (searchFeedback,
	// searchInsights); nil logs nothing.
	QueryLog *search.QueryLog

	// gqlgenOnly leaves every field to gqlgen's executor, without the
	// service page's and search's writers (pagewriter.go,
	// searchwriter.go): tests compare the two.
	gqlgenOnly bool
}

// handler is the GraphQL endpoint. It speaks GraphQL over HTTP itself
// (transport.go) instead of through gqlgen's transports, so that every
// refusal has a status and a code, and so that the response cache is asked
// only once a request has passed every check a fresh answer would.
type handler struct {
	exec     *executor.Executor
	store    *catalog.Store
	log      *slog.Logger
	metrics  *Metrics
	cache    *responseCache
	maxAge   string
	revision func() uint64
	queryLog *search.QueryLog
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
	res := &Resolver{Store: cfg.Store, Index: cfg.Search, Mirror: cfg.Mirror, FanOut: cfg.FanOut, QueryLog: cfg.QueryLog,
		hits: &hitServices{}}
	limits := cfg.RateLimits
	if limits == (RateLimits{}) {
		limits = DefaultRateLimits
	}
	lim := &limiter{limits: limits, now: cfg.Store.Now}
	schema := NewExecutableSchema(Config{Resolvers: res, Complexity: complexity()})
	exec := executor.New(schema)
	exec.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	exec.SetParserTokenLimit(MaxTokens)
	if cfg.DisableIntrospection {
		exec.Use(introspectionGuard{})
	} else {
		exec.Use(extension.Introspection{})
	}
	exec.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	exec.Use(extension.FixedComplexityLimit(MaxComplexity))
	exec.Use(depthLimit{max: MaxDepth})
	exec.SetErrorPresenter(errorPresenter(log, cfg.Metrics))
	exec.SetRecoverFunc(recoverFunc(log))
	exec.AroundRootFields(langRootMiddleware)
	exec.AroundResponses(langResponseMiddleware)
	exec.AroundRootFields(lim.rootFieldMiddleware)
	exec.AroundRootFields(searchMetrics(cfg.Metrics))
	if !cfg.gqlgenOnly {
		exec.AroundRootFields(fastRoot{r: res, schema: schema.(*executableSchema)}.rootField) // innermost: after language, limits, metrics
	}

	h := &handler{exec: exec, store: cfg.Store, log: log, metrics: cfg.Metrics, queryLog: cfg.QueryLog,
		maxAge: "public, max-age=" + strconv.Itoa(int(cfg.CacheMaxAge.Seconds()))}
	if cfg.ResponseCache > 0 {
		h.cache = newResponseCache(cfg.ResponseCache, 30*time.Second, cfg.Store.Now)
	}
	h.revision = func() uint64 {
		rev := cfg.Store.Revision()
		if cfg.Search != nil {
			rev = rev<<20 ^ cfg.Search.Revision() // the index may lag the store by a moment
		}
		return rev
	}
	return h
}

// allowedMethods is the Allow header of the endpoint.
const allowedMethods = "GET, POST, OPTIONS"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.ErrorContext(r.Context(), "panic in the GraphQL handler", "panic", fmt.Sprint(p))
			writeError(w, "", http.StatusInternalServerError, catalog.EINTERNAL, i18n.Label(i18n.DE, "error.INTERNAL"))
		}
	}()
	switch r.Method {
	case http.MethodGet, http.MethodPost:
	case http.MethodOptions:
		w.Header().Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", allowedMethods)
		h.refuse(w, "", refuse(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "use GET for queries or POST"))
		return
	}
	media, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		h.refuse(w, "", refuse(http.StatusNotAcceptable, CodeNotAcceptable, "the answer is application/json or application/graphql-response+json; the Accept header allows neither"))
		return
	}
	tooLarge := refuse(http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "the request is larger than "+strconv.Itoa(MaxRequestBytes)+" bytes")
	if len(r.URL.RawQuery) > MaxRequestBytes || r.ContentLength > MaxRequestBytes {
		h.refuse(w, media, tooLarge)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		if terr := postContentType(r); terr != nil {
			h.refuse(w, media, terr)
			return
		}
		var err error
		if body, err = readLimited(r, MaxRequestBytes); err != nil {
			if errors.Is(err, errTooLarge) {
				h.refuse(w, media, tooLarge)
			} else {
				h.refuse(w, media, refuse(http.StatusBadRequest, CodeBadRequest, "the body could not be read"))
			}
			return
		}
	}
	principal, err := authenticate(h.store, r)
	if err != nil {
		h.refuse(w, media, refuse(http.StatusUnauthorized, catalog.ErrorCode(err), catalog.ErrorMessage(err)))
		return
	}
	anonymous := r.Header.Get("Authorization") == ""

	// The response cache answers only requests that passed the transport
	// checks above (method, Accept, size, Content-Type, token), and only
	// with what a request with the same bytes (query string or body) and
	// the same media type and language answered without errors after
	// passing every later check: parameters, parsing, validation, limits.
	// Those depend on nothing else (schema and limits are fixed while the
	// server runs), so the same request would pass them again: a request
	// that would fail is never answered from the cache, and a hit skips
	// checking again what was checked. Requests that mention a persisted
	// query (the server may have forgotten its hash) or a mutation are
	// looked up only once parsed, by their parameters.
	raw := body
	if r.Method == http.MethodGet {
		raw = []byte(r.URL.RawQuery)
	}
	cacheable := anonymous && h.cache != nil
	byBytes := cacheable && !bytes.Contains(raw, []byte("persistedQuery")) &&
		!bytes.Contains(raw, []byte("mutation")) && !bytes.Contains(raw, []byte("subscription"))
	var key [32]byte
	var rev uint64
	lookUp := func(k [32]byte) bool {
		key, rev = k, h.revision()
		rec := h.cache.get(key, rev)
		h.metrics.cacheLookup(rec != nil)
		if rec == nil {
			return false
		}
		if h.queryLog != nil {
			// A search answered from the cache is still a search.
			for _, s := range rec.searches {
				h.queryLog.Record(s.query, s.hits)
			}
		}
		h.metrics.operation("query", "ok")
		h.metrics.operationDuration("query", true, time.Since(start))
		h.writeBody(w, r, media, http.StatusOK, rec.body, true)
		return true
	}
	if byBytes && lookUp(rawCacheKey(r.Method, media, r.Header.Get("Accept-Language"), raw)) {
		return
	}

	params, terr := requestParams(r, body)
	if terr != nil {
		h.refuse(w, media, terr)
		return
	}
	if r.Method == http.MethodGet && !readOnly(params) {
		w.Header().Set("Allow", "POST")
		h.refuse(w, media, refuse(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "a mutation needs POST; GET is for queries"))
		return
	}

	ctx := withLang(r.Context(), r.Header.Get("Accept-Language"))
	ctx = context.WithValue(ctx, principalKey{}, principal)
	ctx = withRequestReads(ctx)
	searches := &searchesLogged{}
	ctx = context.WithValue(ctx, searchesKey{}, searches)
	ctx = graphql.StartOperationTrace(ctx)
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	oc, gerrs := h.exec.CreateOperationContext(ctx, params)
	if gerrs != nil {
		// A request error (parse, validation, variables, limits, persisted
		// query): GraphQL did not run, so there is no "data". JSON
		// clients get 200 as the spec asks of the legacy type; the
		// GraphQL response type says it with the status.
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		h.metrics.operation(operationType(oc), "refused")
		resp := h.exec.DispatchError(graphql.WithOperationContext(ctx, oc), gerrs)
		h.write(w, r, media, status, errorBody{Errors: resp.Errors, Extensions: resp.Extensions}, false)
		return
	}
	typ := operationType(oc)
	if r.Method == http.MethodGet && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		h.metrics.operation(typ, "refused")
		h.refuse(w, media, refuse(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "a "+typ+" needs POST; GET is for queries"))
		return
	}

	cacheable = cacheable && oc.Operation.Operation == ast.Query
	if cacheable && !byBytes && lookUp(cacheKey(media, r.Header.Get("Accept-Language"), params)) {
		return
	}

	responses, rctx := h.exec.DispatchOperation(ctx, oc)
	resp := responses(rctx)
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = costOf(rctx)
	b, err := encodeResponse(resp)
	if err != nil {
		h.log.ErrorContext(ctx, "encoding a GraphQL answer", "err", err)
		h.refuse(w, media, refuse(http.StatusInternalServerError, catalog.EINTERNAL, i18n.Label(i18n.DE, "error.INTERNAL")))
		return
	}
	outcome := "ok"
	if len(resp.Errors) > 0 {
		outcome = "error"
	} else if cacheable {
		h.cache.put(&cachedResponse{key: key, rev: rev, body: b, created: h.store.Now(), searches: searches.list()})
	}
	h.metrics.operation(typ, outcome)
	h.metrics.operationDuration(typ, false, time.Since(start))
	h.writeBody(w, r, media, http.StatusOK, b, anonymous && len(resp.Errors) == 0)
}

// readOnly tells whether a document selects a query operation, before
// validation: so that a mutation sent by GET is refused with 405 whether or
// not it is valid, and so that a mutation never asks the response cache.
// Only a document that mentions a mutation or subscription is parsed for
// it.
func readOnly(p *graphql.RawParams) bool {
	if !strings.Contains(p.Query, "mutation") && !strings.Contains(p.Query, "subscription") {
		return true
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
	if err != nil {
		return true // GraphQL reports the syntax error
	}
	op := doc.Operations.ForName(p.OperationName)
	return op == nil || op.Operation == ast.Query
}

func operationType(oc *graphql.OperationContext) string {
	if oc == nil || oc.Operation == nil {
		return "unknown"
	}
	return string(oc.Operation.Operation)
}

// refuse answers a transport error.
func (h *handler) refuse(w http.ResponseWriter, media string, e *transportError) {
	h.metrics.errorCode(e.code)
	writeError(w, media, e.status, e.code, e.msg)
}

func (h *handler) write(w http.ResponseWriter, r *http.Request, media string, status int, v any, cacheable bool) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.ErrorContext(r.Context(), "encoding a GraphQL answer", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	h.writeBody(w, r, media, status, b, cacheable)
}

// writeBody sends an answer. An anonymous GET answer without errors gets an
// ETag over its body and Cache-Control, and 304 when the client has it.
func (h *handler) writeBody(w http.ResponseWriter, r *http.Request, media string, status int, body []byte, cacheable bool) {
	hd := w.Header()
	hd.Set("Content-Type", media+"; charset=utf-8")
	hd.Add("Vary", "Accept, Accept-Language, Authorization")
	if r.Method == http.MethodGet {
		if cacheable && status == http.StatusOK {
			sum := sha256.Sum256(body)
			etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
			hd.Set("ETag", etag)
			hd.Set("Cache-Control", h.maxAge)
			if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == "*" || strings.Contains(inm, etag)) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		} else {
			hd.Set("Cache-Control", "no-store")
		}
	}
	w.WriteHeader(status)
	w.Write(body)
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
