package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Hit is one search result, from the local index or from a peer.
type Hit struct {
	Origin    string
	LeikaKey  string
	ServiceID string
	Score     float64
	// RegionKey is the area whose authority maintains the description
	// (Service.RegionKey; for a peer's hit the peer's region key). Merge
	// prefers the most local one for the place asked.
	RegionKey string
}

// PeerResult statuses.
const (
	PeerOK          = "ok"
	PeerTimeout     = "timeout"
	PeerError       = "error"
	PeerCircuitOpen = "circuit-open"
)

// PeerResult is one peer's answer to a federated search.
type PeerResult struct {
	Peer   string
	Status string // PeerOK, PeerTimeout, PeerError or PeerCircuitOpen
	Hits   []Hit
	Err    string
	// Took is how long the peer took (0 when not asked).
	Took time.Duration
}

// SearchQuery is what a federated search asks every peer.
type SearchQuery struct {
	Query string
	// ARS is the place the citizen asks for ("" for none).
	ARS   string
	First int
}

// FanOutOptions configure a FanOut.
type FanOutOptions struct {
	// Client makes the requests (a client with sane transport defaults if nil).
	Client *http.Client
	// PeerTimeout bounds each peer (800 ms if 0).
	PeerTimeout time.Duration
	// Timeout bounds the whole fan-out (1.5 s if 0): Search returns by
	// then with whatever has arrived.
	Timeout time.Duration
	// FailureThreshold consecutive failures open a peer's circuit (3 if 0)
	// for Cooldown (30 s if 0); then one probe may go through.
	FailureThreshold int
	Cooldown         time.Duration
	// MaxResponse caps a peer's answer (1 MiB if 0).
	MaxResponse int64
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// FanOut asks peers' GraphQL search live, with a deadline per peer, a
// circuit breaker per peer and an overall deadline.
type FanOut struct {
	peers    []Peer
	opt      FanOutOptions
	breakers map[string]*breaker
}

// NewFanOut returns a fan-out over peers (ID, URL and RegionKey are used).
func NewFanOut(peers []Peer, opt FanOutOptions) *FanOut {
	if opt.Client == nil {
		opt.Client = &http.Client{}
	}
	if opt.PeerTimeout <= 0 {
		opt.PeerTimeout = 800 * time.Millisecond
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 1500 * time.Millisecond
	}
	if opt.FailureThreshold <= 0 {
		opt.FailureThreshold = 3
	}
	if opt.Cooldown <= 0 {
		opt.Cooldown = 30 * time.Second
	}
	if opt.MaxResponse <= 0 {
		opt.MaxResponse = 1 << 20
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	f := &FanOut{peers: peers, opt: opt, breakers: map[string]*breaker{}}
	for _, p := range peers {
		f.breakers[p.ID] = &breaker{}
	}
	return f
}

// breaker is a peer's circuit: closed, open until a time, then half-open
// for one probe.
type breaker struct {
	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

// allow reports whether a request may go to the peer now.
func (b *breaker) allow(now time.Time, threshold int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < threshold {
		return true
	}
	if now.Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true // half-open: this request is the probe
	return true
}

func (b *breaker) record(ok bool, now time.Time, threshold int, cooldown time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= threshold {
		b.openUntil = now.Add(cooldown)
	}
}

// Search asks every peer at once and returns one result per peer, in the
// order of the peers, by the overall deadline at the latest: a peer that
// has not answered by then is reported as timeout.
func (f *FanOut) Search(ctx context.Context, q SearchQuery) []PeerResult {
	ctx, cancel := context.WithTimeout(ctx, f.opt.Timeout)
	defer cancel()
	out := make([]PeerResult, len(f.peers))
	type answer struct {
		i int
		r PeerResult
	}
	ch := make(chan answer, len(f.peers))
	asked := 0
	for i, p := range f.peers {
		out[i] = PeerResult{Peer: p.ID, Status: PeerTimeout, Err: "no answer within the overall deadline"}
		b := f.breakers[p.ID]
		if !b.allow(f.opt.Now(), f.opt.FailureThreshold) {
			out[i] = PeerResult{Peer: p.ID, Status: PeerCircuitOpen, Err: "circuit open after repeated failures"}
			continue
		}
		asked++
		go func() {
			start := time.Now()
			r := f.ask(ctx, p, q)
			r.Took = time.Since(start)
			b.record(r.Status == PeerOK, f.opt.Now(), f.opt.FailureThreshold, f.opt.Cooldown)
			ch <- answer{i, r}
		}()
	}
	for ; asked > 0; asked-- {
		select {
		case a := <-ch:
			out[a.i] = a.r
		case <-ctx.Done():
			return out
		}
	}
	return out
}

// searchQuery is the GraphQL document sent to peers. Arguments are inlined
// as literals (JSON string syntax is valid GraphQL), so that the document
// does not depend on how a peer names its argument types.
const searchQuery = `query FederatedSearch { search(query: %s, %sfirst: %d) { hits { score service { id leikaKeys } } } }`

type graphQLResponse struct {
	Data *struct {
		Search *struct {
			Hits []struct {
				Score   float64 `json:"score"`
				Service *struct {
					ID        string   `json:"id"`
					LeikaKeys []string `json:"leikaKeys"`
				} `json:"service"`
			} `json:"hits"`
		} `json:"search"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// ask runs one peer's search within the peer deadline.
func (f *FanOut) ask(ctx context.Context, p Peer, q SearchQuery) PeerResult {
	ctx, cancel := context.WithTimeout(ctx, f.opt.PeerTimeout)
	defer cancel()
	res := PeerResult{Peer: p.ID}
	failed := func(err error) PeerResult {
		res.Status, res.Err = PeerError, err.Error()
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			res.Status, res.Err = PeerTimeout, "no answer within "+f.opt.PeerTimeout.String()
		}
		return res
	}
	qs, _ := json.Marshal(q.Query)
	ars := ""
	if q.ARS != "" {
		a, _ := json.Marshal(q.ARS)
		ars = "ars: " + string(a) + ", "
	}
	first := q.First
	if first <= 0 {
		first = 20
	}
	doc, _ := json.Marshal(map[string]string{"query": fmt.Sprintf(searchQuery, qs, ars, first)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/graphql", bytes.NewReader(doc))
	if err != nil {
		return failed(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.Header.Set("User-Agent", "leistungsfinder-federation/1")
	resp, err := f.opt.Client.Do(req)
	if err != nil {
		return failed(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opt.MaxResponse+1))
	if err != nil {
		return failed(err)
	}
	if int64(len(body)) > f.opt.MaxResponse {
		return failed(fmt.Errorf("answer exceeds %d bytes", f.opt.MaxResponse))
	}
	var gr graphQLResponse
	if err := decodeStrict(body, &gr); err != nil {
		if resp.StatusCode != http.StatusOK {
			return failed(fmt.Errorf("peer answered %s", resp.Status))
		}
		return failed(fmt.Errorf("answer is not GraphQL JSON: %v", err))
	}
	if gr.Data == nil || gr.Data.Search == nil {
		msg := "answer has no data.search"
		if len(gr.Errors) > 0 {
			msg = "peer: " + gr.Errors[0].Message
		}
		if resp.StatusCode != http.StatusOK {
			msg = "peer answered " + resp.Status + ": " + msg
		}
		return failed(errors.New(msg))
	}
	for _, h := range gr.Data.Search.Hits {
		if h.Service == nil || h.Service.ID == "" {
			continue
		}
		hit := Hit{Origin: p.ID, ServiceID: h.Service.ID, Score: h.Score, RegionKey: p.RegionKey}
		if len(h.Service.LeikaKeys) > 0 {
			hit.LeikaKey = h.Service.LeikaKeys[0]
		}
		res.Hits = append(res.Hits, hit)
	}
	res.Status = PeerOK
	return res
}

// rrfK is the constant of reciprocal-rank fusion (Cormack et al. 2009).
const rrfK = 60

// Merge fuses the local hits and the peers' successful hits with
// reciprocal-rank fusion (each list contributes 1/(60+rank) for each LeiKa
// key, rank from 1, counting a key once per list at its best rank) and
// keeps one hit per LeiKa key (per origin and service ID for hits without
// one). The hit kept is the one of the most local authority for placeARS:
// its region key the most specific ancestor-or-self of the place; then the
// local one; then the better ranked. Scores are the fused scores; the
// result is ordered by them, best first.
func Merge(local []Hit, peers []PeerResult, placeARS string) []Hit {
	lists := [][]Hit{local}
	for _, p := range peers {
		if p.Status == PeerOK {
			lists = append(lists, p.Hits)
		}
	}
	chain := catalog.Ancestors(placeARS)
	authority := func(h Hit) int {
		for i, a := range chain {
			if h.RegionKey == a {
				return i
			}
		}
		return len(chain)
	}
	type candidate struct {
		hit        Hit
		list, rank int
	}
	type group struct {
		score float64
		best  candidate
	}
	groups := map[string]*group{}
	var order []string
	better := func(a, b candidate) bool {
		if x, y := authority(a.hit), authority(b.hit); x != y {
			return x < y
		}
		if (a.list == 0) != (b.list == 0) {
			return a.list == 0
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.hit.Origin < b.hit.Origin
	}
	for li, list := range lists {
		seen := map[string]bool{}
		for ri, h := range list {
			key := h.LeikaKey
			if key == "" {
				key = "\x00" + h.Origin + "\x00" + h.ServiceID
			}
			c := candidate{hit: h, list: li, rank: ri + 1}
			g := groups[key]
			if g == nil {
				g = &group{best: c}
				groups[key] = g
				order = append(order, key)
			} else if better(c, g.best) {
				g.best = c
			}
			if !seen[key] {
				seen[key] = true
				g.score += 1 / float64(rrfK+ri+1)
			}
		}
	}
	out := make([]Hit, 0, len(groups))
	for _, key := range order {
		g := groups[key]
		h := g.best.hit
		h.Score = g.score
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].LeikaKey < out[j].LeikaKey
	})
	return out
}
