package graph

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/time/rate"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

type principalKey struct{}

// principalOf returns the request's caller: an editor, or anonymous.
func principalOf(ctx context.Context) *catalog.Principal {
	if p, ok := ctx.Value(principalKey{}).(*catalog.Principal); ok {
		return p
	}
	return catalog.Anonymous("")
}

// authenticate resolves the bearer token of a request. A request with a
// token that is unknown, revoked or expired is refused as a whole: the
// caller meant to be someone, and answering as anonymous would hide that.
func authenticate(st *catalog.Store, r *http.Request) (*catalog.Principal, error) {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return catalog.Anonymous(addr), nil
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return nil, catalog.Errorf(catalog.EUNAUTHENTICATED, "the Authorization header must be \"Bearer <token>\"")
	}
	return st.Authenticate(r.Context(), strings.TrimSpace(token), addr)
}

// RateLimits bound how many mutations one token and one address may send.
type RateLimits struct {
	PerToken   rate.Limit
	PerAddress rate.Limit
	Burst      int
}

// DefaultRateLimits suit people editing by hand and scripts that pace
// themselves.
var DefaultRateLimits = RateLimits{PerToken: 10, PerAddress: 20, Burst: 30}

type limiter struct {
	limits RateLimits
	now    func() time.Time // the store's clock (Store.Now)
	mu     sync.Mutex
	byKey  map[string]*entry
}

type entry struct {
	l    *rate.Limiter
	seen time.Time
}

func (l *limiter) allow(key string, lim rate.Limit) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byKey == nil {
		l.byKey = map[string]*entry{}
	}
	now := l.now()
	e := l.byKey[key]
	if e == nil {
		if len(l.byKey) > 10000 {
			for k, v := range l.byKey {
				if now.Sub(v.seen) > 10*time.Minute {
					delete(l.byKey, k)
				}
			}
		}
		e = &entry{l: rate.NewLimiter(lim, l.limits.Burst)}
		l.byKey[key] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}

// rootFieldMiddleware rate-limits mutations per token and per address.
func (l *limiter) rootFieldMiddleware(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		p := principalOf(ctx)
		ok := l.allow("addr:"+p.Address, l.limits.PerAddress)
		if ok && p.Editor != nil {
			ok = l.allow("token:"+p.Editor.ID, l.limits.PerToken)
		}
		if !ok {
			graphql.AddError(ctx, catalog.Errorf(catalog.ERATELIMITED, "too many changes in a short time; wait a moment and retry"))
			return graphql.Null
		}
	}
	return next(ctx)
}
