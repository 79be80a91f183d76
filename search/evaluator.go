package search

import (
	"container/heap"
	"context"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// The query evaluator. Bleve runs a query as a tree of searchers that hand
// each other a DocumentMatch per node per candidate document, sort and
// merge byte-slice document IDs, and collect through a general top-N
// collector. At L a portal query has 30 to 80 scored term clauses and
// common words match thousands of services; stepping that tree was most of
// a search's CPU. evalTree compiles the query the plan built (disjunction,
// conjunction, max, term clauses over the decoded postings, filters) into
// plain cursor nodes over document numbers and computes the same scores
// with the same floating-point operations in the same order as Bleve's
// searchers (TestEvaluatorScoresAsBleve): the term scorer's tf × norm × idf
// × query weight, the disjunction's sum in the order of its sorted
// searchers times its coordination factor, the conjunction's sum, the max
// query's best plus tie, and one query norm over the whole tree. It then
// counts every match and keeps the best from+size by score and ID, as
// Bleve's collector does with the plan's sort.
//
// It counts term facets from the postings (evalfacets.go) and loads stored
// fields with Bleve's own function. Whatever it does not model falls back:
// a search that asks for highlights, locations or Explain, a query with a
// node type it does not know where scores count, and the shapes whose
// order of summation depends on Bleve's heap (a scored disjunction of more
// than DisjunctionHeapTakeover clauses, a scored conjunction of more than
// twelve). Phrases are conjunctions of their terms over postings decoded
// with their positions; one that does not fit that runs as Bleve's own
// searcher inside the tree. Where the root's filters leave few documents,
// the term clauses step through only the postings in them (restrict).

// noDoc is the position of a cursor past its last match.
const noDoc = math.MaxUint64

type evalKind uint8

const (
	evalTerm     evalKind = iota // decoded postings of a scored term clause
	evalDisj                     // Bleve's disjunction: sum × coordination
	evalConj                     // Bleve's conjunction: sum
	evalMax                      // maxQuery: best + tie × others
	evalSet                      // an unscored filter, as a bitmap
	evalSearcher                 // a Bleve searcher (a phrase)
	evalNone                     // matches nothing (maxQuery of absent terms only)
	evalPhrase                   // Bleve's phrase: a conjunction of its terms, next to each other
)

// evalNode is a cursor: doc is the document it is on (noDoc when done).
// Children of a disjunction and conjunction are in the order Bleve's
// searcher sorts them (by Count, stable), which is the order it sums
// their scores; children of a max in the query's order.
type evalNode struct {
	kind evalKind
	// none is set for what Bleve makes a MatchNoneSearcher, which a max
	// query leaves out (an empty max query keeps its weight).
	none  bool
	doc   uint64
	count uint64 // Bleve's Count() of the searcher: the key it sorts by
	kids  []*evalNode
	min   int // evalDisj: clauses required
	// clauses is a disjunction's number of clauses, which its
	// coordination factor divides by (prune drops those that cannot match
	// from kids).
	clauses int
	tie     float64 // evalMax
	// weight is the searcher's Weight() (sum of squared weights), set by
	// weigh.
	weight float64

	// est is an upper bound of the matches, by which a conjunction
	// chooses which child leads (the order of its sum is by count).
	est uint64
	// lead are a conjunction's children, fewest matches first.
	lead []*evalNode

	// evalTerm: docs and base are the postings' documents and their tf ×
	// norm × idf, or those of them in the tree's filter (see restrict),
	// whose positions in post are orig.
	post  *decodedPostings
	docs  []uint64
	base  []float64
	orig  []int32
	pos   int
	boost float64
	idf   float64
	qw    float64 // Bleve's queryWeight: boost × idf × query norm

	// evalPhrase: the terms in the phrase's order (kids are sorted)
	phrase []*evalNode

	// evalSet
	set []uint64

	// evalSearcher
	bs    search.Searcher
	sctx  *search.SearchContext
	score float64 // the score of the current match
	buf   index.IndexInternalID
}

// evalTree is a compiled query.
type evalTree struct {
	root  *evalNode
	leafs []search.Searcher // Bleve searchers in the tree, closed by close
}

func (t *evalTree) close() {
	for _, s := range t.leafs {
		s.Close()
	}
}

// evaluable reports whether a search request can be answered by the
// evaluator: hits and their scores only, in the plan's sort order.
func evaluable(sr *bleve.SearchRequest) bool {
	if sr.Highlight != nil || !termFacetsOnly(sr.Facets) || sr.Explain || sr.IncludeLocations ||
		sr.Score != "" || sr.SearchAfter != nil || sr.SearchBefore != nil || len(sr.Sort) != 2 {
		return false
	}
	byScore, ok1 := sr.Sort[0].(*search.SortScore)
	byID, ok2 := sr.Sort[1].(*search.SortDocID)
	return ok1 && ok2 && byScore.Desc && !byID.Desc
}

// evaluate answers sr with the evaluator over the plan's index snapshot.
// ok is false when it cannot; then Bleve must run sr.
func (pl *plan) evaluate(ctx context.Context, sr *bleve.SearchRequest) (res *bleve.SearchResult, ok bool, err error) {
	p := pl.p
	if p.postings == nil || p.bleveOnly || !evaluable(sr) {
		return nil, false, nil
	}
	docs, err := pl.r.DocCount()
	if err != nil {
		return nil, false, nil
	}
	c := &evalCompiler{ctx: ctx, r: pl.r, m: p.bi.Mapping(), cache: p.postings, docs: docs,
		options: search.SearcherOptions{}}
	tree := &evalTree{}
	c.tree = tree
	defer tree.close()
	root, ok, err := c.scored(sr.Query)
	if err != nil || !ok {
		return nil, false, nil // Bleve reports the error, if it is one
	}
	if root.kind != evalDisj && root.kind != evalConj {
		return nil, false, nil // Bleve sets no query norm then
	}
	if f := rootFilter(root); f != nil {
		if passing, ok := selective(f, docs); ok {
			r := restrictions.Get().(*restriction)
			defer restrictions.Put(r) // after collect: the tree uses its windows
			r.filter, r.passing = f, passing
			r.docs, r.base, r.orig, r.pass = r.docs[:0], r.base[:0], r.orig[:0], r.pass[:0]
			r.restrict(root)
			r.filter = nil
		}
	}
	// Bleve's top searcher computes the query norm over its searchers'
	// weights, summed in its order, and sets it on the whole tree.
	var sum float64
	for _, k := range root.kids {
		sum += k.weight
	}
	setQueryNorm(root, 1.0/math.Sqrt(sum))
	if !prune(root) {
		root = &evalNode{kind: evalNone}
	}
	tree.root = root
	res, err = pl.collect(ctx, tree, sr)
	p.evaluated.Add(1)
	return res, true, err
}

// evalCompiler builds an evalTree.
type evalCompiler struct {
	ctx     context.Context
	r       index.IndexReader
	m       mapping.IndexMapping
	cache   *postingsCache
	docs    uint64
	options search.SearcherOptions
	tree    *evalTree
	slab    []evalNode // nodes are allocated from it, a chunk at a time
}

// node returns a new node of the tree.
func (c *evalCompiler) node(n evalNode) *evalNode {
	if len(c.slab) == cap(c.slab) {
		c.slab = make([]evalNode, 0, 32)
	}
	c.slab = append(c.slab, n)
	return &c.slab[len(c.slab)-1]
}

// scored compiles a scored query node. ok is false for one it does not
// model exactly.
func (c *evalCompiler) scored(q query.Query) (*evalNode, bool, error) {
	switch q := q.(type) {
	case termQuery:
		field := q.FieldVal
		if field == "" {
			field = c.m.DefaultSearchField()
		}
		d, err := c.cache.postings(c.ctx, c.r, field, q.Term)
		if err != nil {
			return nil, false, err
		}
		return c.term(d, q.BoostVal.Value()), true, nil
	case *maxQuery:
		n := c.node(evalNode{kind: evalMax, tie: q.tie})
		for _, sub := range q.queries {
			k, ok, err := c.scored(sub)
			if !ok || err != nil {
				return nil, ok, err
			}
			if k.none {
				continue // maxQuery drops Bleve's MatchNoneSearchers
			}
			n.kids = append(n.kids, k)
		}
		switch {
		case len(n.kids) == 0 && q.absent == 0:
			return c.node(evalNode{kind: evalNone, none: true}), true, nil
		case len(n.kids) == 1 && q.absent == 0:
			return n.kids[0], true, nil
		}
		n.weight = q.absent
		for _, k := range n.kids {
			n.weight += k.weight
			n.count += k.count
		}
		n.estimate()
		if len(n.kids) == 0 {
			n.kind = evalNone
		}
		return n, true, nil
	case *query.DisjunctionQuery:
		if len(q.Disjuncts) > searcher.DisjunctionHeapTakeover || len(q.Disjuncts) == 0 {
			return nil, false, nil // the heap searcher sums in heap order
		}
		n := c.node(evalNode{kind: evalDisj, min: int(q.Min)})
		if float64(n.min) != q.Min {
			return nil, false, nil
		}
		if err := c.kids(n, q.Disjuncts); err != nil {
			return nil, false, err
		}
		if n.kids == nil {
			return nil, false, nil
		}
		n.clauses = len(n.kids)
		return n, true, nil
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) > 12 || len(q.Conjuncts) == 0 {
			return nil, false, nil // sort.Sort is stable up to 12 elements only
		}
		n := c.node(evalNode{kind: evalConj})
		if err := c.kids(n, q.Conjuncts); err != nil {
			return nil, false, err
		}
		if n.kids == nil {
			return nil, false, nil
		}
		return n, true, nil
	case filterQuery:
		set, count, ok, err := c.set(q.q)
		if !ok || err != nil {
			return nil, ok, err
		}
		return c.node(evalNode{kind: evalSet, set: set, count: count, est: onesCount(set)}), true, nil
	case *query.PhraseQuery:
		if n, ok, err := c.phrase(q); ok || err != nil {
			return n, ok, err
		}
		s, err := q.Searcher(c.ctx, c.r, c.m, c.options)
		if err != nil {
			return nil, false, err
		}
		c.tree.leafs = append(c.tree.leafs, s)
		if _, none := s.(*searcher.MatchNoneSearcher); none {
			return c.node(evalNode{kind: evalNone, none: true}), true, nil
		}
		return c.node(evalNode{kind: evalSearcher, bs: s, count: s.Count(), est: s.Count(), weight: s.Weight(),
			sctx: &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
				IndexReader: c.r}}), true, nil
	}
	return nil, false, nil
}

// phrase compiles a phrase of single words without fuzziness:
// Bleve's phrase searcher is a conjunction of term searchers (with the
// phrase's boost) whose matches it keeps where the words are side by
// side, with the conjunction's score.
func (c *evalCompiler) phrase(q *query.PhraseQuery) (*evalNode, bool, error) {
	// (The plan never asks for automatic fuzziness, which is not exported.)
	if q.Fuzziness != 0 || q.FieldVal == "" || len(q.Terms) < 2 || len(q.Terms) > 12 {
		return nil, false, nil
	}
	n := c.node(evalNode{kind: evalPhrase})
	for _, term := range q.Terms {
		if term == "" {
			return nil, false, nil
		}
		d, err := c.cache.withLocations(c.ctx, c.r, q.FieldVal, term)
		if err != nil || !d.locsOK {
			return nil, false, err
		}
		n.phrase = append(n.phrase, c.term(d, q.BoostVal.Value()))
	}
	n.adopt(slices.Clone(n.phrase))
	return n, true, nil
}

// estimate sets est of a disjunction or max (the sum of its children's)
// or a conjunction or phrase (the least), and the conjunction's lead.
func (n *evalNode) estimate() {
	n.est = 0
	if n.kind == evalDisj || n.kind == evalMax {
		for _, k := range n.kids {
			n.est += k.est
		}
		return
	}
	n.lead = slices.Clone(n.kids)
	sort.SliceStable(n.lead, func(i, j int) bool { return n.lead[i].est < n.lead[j].est })
	n.est = n.lead[0].est
}

// term is the node of a scored term clause, as Bleve's TermQueryScorer
// (tf-idf) has it before the query norm is set.
func (c *evalCompiler) term(d *decodedPostings, boost float64) *evalNode {
	idf := 1.0 + math.Log(float64(c.docs)/float64(d.count+1.0))
	n := c.node(evalNode{kind: evalTerm, post: d, count: d.count, est: uint64(len(d.docs)), boost: boost, idf: idf,
		docs: d.docs, base: d.baseScores(idf)})
	if n.base == nil { // another idf than the cached one: not in one snapshot
		n.base = d.scores(idf)
	}
	sum := n.boost * n.idf
	n.weight = sum * sum
	n.qw = 1.0
	return n
}

// kids compiles the children of a disjunction or conjunction and orders
// them as Bleve's searcher does; n.kids stays nil when one cannot be
// compiled.
func (c *evalCompiler) kids(n *evalNode, qs []query.Query) error {
	kids := make([]*evalNode, 0, len(qs))
	for _, sub := range qs {
		k, ok, err := c.scored(sub)
		if !ok || err != nil {
			return err
		}
		kids = append(kids, k)
	}
	n.adopt(kids)
	return nil
}

// adopt makes kids the children of a disjunction, conjunction or phrase,
// in the order of Bleve's searcher (sort.Sort of at most twelve is an
// insertion sort: stable), and sums their weights and counts.
func (n *evalNode) adopt(kids []*evalNode) {
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].count < kids[j].count })
	n.kids = kids
	for _, k := range kids {
		n.weight += k.weight
		n.count += k.count
	}
	n.estimate()
}

// set compiles an unscored filter into a bitmap of its documents, which
// the caller must not modify (a term's is shared); count is
// Bleve's Count of its searcher as far as it matters (an estimate: only a
// scored sibling's order depends on it, and a filter's score is 0).
func (c *evalCompiler) set(q query.Query) ([]uint64, uint64, bool, error) {
	switch q := q.(type) {
	case termQuery:
		return c.termSet(q.FieldVal, q.Term)
	case *query.TermQuery:
		return c.termSet(q.FieldVal, q.Term)
	case *maxQuery:
		return c.union(q.queries, 0)
	case *query.DisjunctionQuery:
		if q.Min > 1 {
			return nil, 0, false, nil
		}
		return c.union(q.Disjuncts, 0)
	case *query.ConjunctionQuery:
		var out []uint64
		var count uint64
		for i, sub := range q.Conjuncts {
			s, n, ok, err := c.set(sub)
			if !ok || err != nil {
				return nil, 0, ok, err
			}
			count += n
			if i == 0 {
				out = slices.Clone(s) // a term's bitmap is shared
				continue
			}
			out = out[:min(len(out), len(s))]
			for w := range out {
				out[w] &= s[w]
			}
		}
		return out, count, true, nil
	case filterQuery:
		return c.set(q.q)
	}
	return nil, 0, false, nil
}

func (c *evalCompiler) union(qs []query.Query, count uint64) ([]uint64, uint64, bool, error) {
	if len(qs) == 1 {
		return c.set(qs[0])
	}
	var out []uint64
	for _, sub := range qs {
		n, ok, err := c.orInto(&out, sub)
		if !ok || err != nil {
			return nil, 0, ok, err
		}
		count += n
	}
	return out, count, true, nil
}

// orInto adds the documents of the filter q to the bitmap *out, which it
// owns; unions below q add theirs directly.
func (c *evalCompiler) orInto(out *[]uint64, q query.Query) (uint64, bool, error) {
	var subs []query.Query
	switch q := q.(type) {
	case *maxQuery:
		subs = q.queries
	case *query.DisjunctionQuery:
		if q.Min <= 1 {
			subs = q.Disjuncts
		}
	}
	if subs != nil {
		var count uint64
		for _, sub := range subs {
			n, ok, err := c.orInto(out, sub)
			if !ok || err != nil {
				return 0, ok, err
			}
			count += n
		}
		return count, true, nil
	}
	s, n, ok, err := c.set(q)
	if !ok || err != nil {
		return 0, ok, err
	}
	if len(s) > len(*out) {
		*out = append(*out, make([]uint64, len(s)-len(*out))...)
	}
	o := *out
	for w, bits := range s {
		o[w] |= bits
	}
	return n, true, nil
}

func (c *evalCompiler) termSet(field, term string) ([]uint64, uint64, bool, error) {
	if field == "" {
		field = c.m.DefaultSearchField()
	}
	d, err := c.cache.postings(c.ctx, c.r, field, term)
	if err != nil {
		return nil, 0, false, err
	}
	return d.bitmap(), d.count, true, nil
}

// rootFilter is the intersection of the filters that every match of the
// tree must pass: those of the root conjunction and of conjunctions under
// it. nil when there are none.
func rootFilter(root *evalNode) []uint64 {
	if root.kind != evalConj {
		return nil
	}
	var f []uint64
	for _, k := range root.kids {
		var s []uint64
		switch k.kind {
		case evalSet:
			s = k.set
		case evalConj:
			if s = rootFilter(k); s == nil {
				continue
			}
		default:
			continue
		}
		if f == nil {
			f = slices.Clone(s)
			continue
		}
		f = f[:min(len(f), len(s))]
		for w := range f {
			f[w] &= s[w]
		}
	}
	return f
}

// restriction restricts the term clauses of a tree to a filter; the
// postings left are windows of docs, base and orig, which grow as needed
// (a window keeps the array it was cut from).
type restriction struct {
	filter  []uint64
	passing int      // documents in filter
	pass    []uint64 // those documents, once passingDocs listed them
	docs    []uint64
	base    []float64
	orig    []int32
}

// passingDocs lists the documents of the filter, in order.
func (r *restriction) passingDocs() []uint64 {
	if len(r.pass) > 0 || r.passing == 0 {
		return r.pass
	}
	for w, b := range r.filter {
		for b != 0 {
			r.pass = append(r.pass, uint64(w)*64+uint64(bits.TrailingZeros64(b)))
			b &= b - 1
		}
	}
	return r.pass
}

// restrictions keep the chunks of restricted postings for the next
// search (making them zeroes them, which cost as much as restricting).
var restrictions = sync.Pool{New: func() any { return &restriction{} }}

// selective reports whether filter leaves less than half of the docs
// documents: only then does restricting the postings save more than it
// costs.
func selective(filter []uint64, docs uint64) (int, bool) {
	n := onesCount(filter)
	return int(n), 2*n < docs
}

// onesCount is the number of documents in a bitmap.
func onesCount(set []uint64) uint64 {
	var n uint64
	for _, w := range set {
		n += uint64(bits.OnesCount64(w))
	}
	return n
}

// restrict leaves the term clauses of the tree only the postings of
// documents in filter, which every match of the tree passes: where the
// filters are selective (a title filter, a region) the tree then steps
// through a fraction of the postings. Scores do not change: they depend
// on the postings' frequencies and norms and the terms' document counts,
// not on the other documents.
func (r *restriction) restrict(n *evalNode) {
	switch n.kind {
	case evalTerm:
		filter := r.filter
		phrase := n.post.locStart != nil
		// Room for every posting that can pass, in a new chunk when the
		// current one is short: windows keep their chunk, nothing is
		// copied.
		if need := min(len(n.docs), r.passing); cap(r.docs)-len(r.docs) < need {
			size := max(need, 2*cap(r.docs), 1024)
			r.docs, r.base = make([]uint64, 0, size), make([]float64, 0, size)
		}
		if phrase && cap(r.orig)-len(r.orig) < len(n.docs) {
			r.orig = make([]int32, 0, max(len(n.docs), 2*cap(r.orig), 1024))
		}
		from := len(r.docs)
		keep := func(i int) {
			r.docs = append(r.docs, n.docs[i])
			r.base = append(r.base, n.base[i])
			if phrase {
				r.orig = append(r.orig, int32(i))
			}
		}
		if docs := n.docs; len(docs) > 8*r.passing {
			// Far more postings than documents pass: look each of those
			// up, galloping forward.
			i := 0
			for _, doc := range r.passingDocs() {
				if i < len(docs) && docs[i] < doc {
					i = gallop(docs, i, doc)
				}
				if i >= len(docs) {
					break
				}
				if docs[i] == doc {
					keep(i)
					i++
				}
			}
		} else {
			for i, doc := range docs {
				if w := doc / 64; w < uint64(len(filter)) && filter[w]&(1<<(doc%64)) != 0 {
					keep(i)
				}
			}
		}
		to := len(r.docs)
		n.docs, n.base, n.est = r.docs[from:to:to], r.base[from:to:to], uint64(to-from)
		if phrase {
			n.orig = r.orig[len(r.orig)-(to-from):]
		}
		return
	case evalSet, evalSearcher, evalNone:
		return
	}
	for _, k := range n.kids {
		r.restrict(k)
	}
	n.estimate()
}

// prune drops the nodes that cannot match (term clauses left without
// postings by restrict, and what only they make up) from the children the
// cursors step through, and reports whether n can match. Scores do not
// change: a child that does not match adds nothing to a sum or a max, and
// a disjunction's coordination still counts all its clauses.
func prune(n *evalNode) bool {
	switch n.kind {
	case evalTerm:
		return len(n.docs) > 0
	case evalNone:
		return false
	case evalSet, evalSearcher:
		return true
	case evalConj, evalPhrase:
		alive := true
		for _, k := range n.kids {
			alive = prune(k) && alive
		}
		return alive
	}
	kids := n.kids[:0:0]
	for _, k := range n.kids {
		if prune(k) {
			kids = append(kids, k)
		}
	}
	n.kids = kids
	return len(kids) > 0 && len(kids) >= n.min
}

// setQueryNorm is Bleve's SetQueryNorm down the tree: every term clause's
// query weight becomes boost × idf × norm (filters keep none).
func setQueryNorm(n *evalNode, norm float64) {
	switch n.kind {
	case evalTerm:
		n.qw = n.boost * n.idf * norm
	case evalSearcher:
		n.bs.SetQueryNorm(norm)
	}
	for _, k := range n.kids {
		setQueryNorm(k, norm)
	}
}

// start positions every cursor of the tree on its first match.
func (n *evalNode) start() {
	switch n.kind {
	case evalTerm:
		n.pos = 0
		n.doc = noDoc
		if len(n.docs) > 0 {
			n.doc = n.docs[0]
		}
		return
	case evalSet:
		n.doc = 0
		n.doc = n.nextSet(0)
		return
	case evalSearcher:
		n.doc = 0
		n.take(n.bs.Next(n.sctx))
		return
	case evalNone:
		n.doc = noDoc
		return
	}
	for _, k := range n.kids {
		k.start()
	}
	n.doc = 0
	n.settle(0)
}

// advance moves the cursor to its first match at or after target.
func (n *evalNode) advance(target uint64) {
	if n.doc >= target {
		return
	}
	switch n.kind {
	case evalTerm:
		docs := n.docs
		i := n.pos + 1
		if i < len(docs) && docs[i] < target {
			i = gallop(docs, i, target)
		}
		n.pos = i
		if i < len(docs) {
			n.doc = docs[i]
		} else {
			n.doc = noDoc
		}
		return
	case evalSet:
		n.doc = n.nextSet(target)
		return
	case evalSearcher:
		if target == n.doc+1 {
			n.take(n.bs.Next(n.sctx))
		} else {
			n.buf = index.NewIndexInternalID(n.buf, target)
			n.take(n.bs.Advance(n.sctx, n.buf))
		}
		return
	case evalNone:
		return
	}
	n.settle(target)
}

// gallop returns the position of the first of the sorted docs after i
// that is at least target, where docs[i] < target: it doubles its steps
// forward, then searches the last step.
func gallop(docs []uint64, i int, target uint64) int {
	step := 1
	for i+step < len(docs) && docs[i+step] < target {
		i += step
		step *= 2
	}
	lo, hi := i, min(i+step, len(docs))
	return lo + sort.Search(hi-lo, func(k int) bool { return docs[lo+k] >= target })
}

// settle positions a disjunction, max or conjunction on its first match at
// or after target.
func (n *evalNode) settle(target uint64) {
	switch n.kind {
	case evalDisj, evalMax:
		for {
			low, on := uint64(noDoc), 0
			for _, k := range n.kids {
				if k.doc < target {
					k.advance(target)
				}
				switch {
				case k.doc < low:
					low, on = k.doc, 1
				case k.doc == low:
					on++
				}
			}
			if low == noDoc || on >= n.min {
				n.doc = low
				return
			}
			target = low + 1
		}
	case evalConj, evalPhrase:
	outer:
		for {
			for _, k := range n.lead {
				if k.doc < target {
					k.advance(target)
				}
				if k.doc == noDoc {
					n.doc = noDoc
					return
				}
				if k.doc > target {
					target = k.doc
					continue outer
				}
			}
			if n.kind == evalPhrase && !n.adjacent() {
				target++
				continue
			}
			n.doc = target
			return
		}
	}
}

// adjacent reports whether the phrase's terms, all on the current
// document, occur one after the other in one value of the field.
func (n *evalNode) adjacent() bool {
	first := n.phrase[0]
	for _, loc := range first.locations() {
		found := true
		for i, t := range n.phrase[1:] {
			if !slices.Contains(t.locations(), loc+uint64(i+1)) {
				found = false
				break
			}
		}
		if found {
			return true
		}
	}
	return false
}

// take records a Bleve searcher's next match.
func (n *evalNode) take(dm *search.DocumentMatch, err error) {
	if err != nil || dm == nil {
		// A failing phrase searcher matches nothing more; Bleve would
		// report the error, which only a broken index gives.
		n.doc = noDoc
		return
	}
	n.doc = dm.IndexInternalID.Value()
	n.score = dm.Score
	n.sctx.DocumentMatchPool.Put(dm)
}

func (n *evalNode) nextSet(target uint64) uint64 {
	w := target / 64
	if w >= uint64(len(n.set)) {
		return noDoc
	}
	if word := n.set[w] >> (target % 64); word != 0 {
		return target + uint64(bits.TrailingZeros64(word))
	}
	for w++; w < uint64(len(n.set)); w++ {
		if n.set[w] != 0 {
			return w*64 + uint64(bits.TrailingZeros64(n.set[w]))
		}
	}
	return noDoc
}

// locations are the positions of the term in the current document.
func (n *evalNode) locations() []uint64 {
	i := n.pos
	if n.orig != nil {
		i = int(n.orig[i])
	}
	d := n.post
	return d.locs[d.locStart[i]:d.locStart[i+1]]
}

// scoreNow is the score of the document the cursor is on, as Bleve's
// searcher of the node computes it.
func (n *evalNode) scoreNow() float64 {
	switch n.kind {
	case evalTerm:
		return n.termScoreNow()
	case evalSearcher:
		return n.score
	case evalSet, evalNone:
		return 0
	case evalConj, evalPhrase:
		var sum float64
		for _, k := range n.kids {
			sum += k.scoreNow()
		}
		return sum
	case evalDisj:
		var sum float64
		on := 0
		for _, k := range n.kids {
			if k.doc == n.doc {
				var s float64
				if k.kind == evalTerm { // inlined: most children are term clauses
					s = k.termScoreNow()
				} else {
					s = k.scoreNow()
				}
				sum += s
				on++
			}
		}
		coord := float64(on) / float64(n.clauses)
		return sum * coord
	}
	// evalMax: the first best, plus tie times the rest.
	var best, sum float64
	first := true
	for _, k := range n.kids {
		if k.doc != n.doc {
			continue
		}
		var s float64
		if k.kind == evalTerm { // inlined, as in a disjunction
			s = k.termScoreNow()
		} else {
			s = k.scoreNow()
		}
		sum += s
		if first || s > best {
			best, first = s, false
		}
	}
	best += n.tie * (sum - best)
	return best
}

// termScoreNow is the score of a term clause on its current document:
// small enough for the compiler to inline into the disjunction's and
// max's loops (scoreNow, being recursive, is not).
func (n *evalNode) termScoreNow() float64 {
	score := n.base[n.pos]
	if n.qw != 1.0 {
		score = score * n.qw
	}
	return score
}

// termScore is TermQueryScorer's tf-idf score before the query weight.
func termScore(freq uint64, norm, idf float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	return tf * norm * idf
}

// evalHit is a candidate of the collector.
type evalHit struct {
	doc   uint64
	score float64
	id    string // the external ID, read when a tie needs it
}

// evalHeap keeps the best hits seen, the worst on top.
type evalHeap struct {
	hits []evalHit
	id   func(*evalHit) string
}

func (h *evalHeap) Len() int           { return len(h.hits) }
func (h *evalHeap) Less(i, j int) bool { return h.worse(&h.hits[i], &h.hits[j]) }
func (h *evalHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *evalHeap) Push(x any)         { h.hits = append(h.hits, x.(evalHit)) }
func (h *evalHeap) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

// worse orders by score, descending, then by ID (the plan's sort).
func (h *evalHeap) worse(a, b *evalHit) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return h.id(a) > h.id(b)
}

// checkEvery is how many matches the collector counts between looks at
// the context (Bleve's collector checks as often).
const checkEvery = 1024

// collect runs the tree: it counts every match and keeps the best
// from+size.
func (pl *plan) collect(ctx context.Context, t *evalTree, sr *bleve.SearchRequest) (*bleve.SearchResult, error) {
	size, from, facets := sr.Size, sr.From, sr.Facets
	var lookupErr error
	ids := pl.p.postings
	h := &evalHeap{id: func(e *evalHit) string {
		if e.id == "" {
			id, err := ids.externalID(pl.r, e.doc)
			if err != nil && lookupErr == nil {
				lookupErr = err
			}
			e.id = id
		}
		return e.id
	}}
	keep := size + from
	root := t.root
	var total uint64
	var matched []uint64 // for the facets
	if keep > 0 {
		h.hits = make([]evalHit, 0, min(keep, 1024))
	}
	for root.start(); root.doc != noDoc; root.advance(root.doc + 1) {
		if total%checkEvery == 0 && ctx.Err() != nil {
			return nil, searchError(ctx, ctx.Err())
		}
		total++
		if facets != nil {
			w := root.doc / 64
			if w >= uint64(len(matched)) {
				matched = append(matched, make([]uint64, int(w)+1-len(matched))...)
			}
			matched[w] |= 1 << (root.doc % 64)
		}
		if keep == 0 {
			continue
		}
		e := evalHit{doc: root.doc, score: root.scoreNow()}
		if len(h.hits) < keep {
			heap.Push(h, e)
			continue
		}
		if h.worse(&h.hits[0], &e) {
			h.hits[0] = e
			heap.Fix(h, 0)
		}
	}
	hits := h.hits
	sort.Slice(hits, func(i, j int) bool { return h.worse(&hits[j], &hits[i]) })
	if lookupErr != nil {
		return nil, searchError(ctx, lookupErr)
	}
	res := &bleve.SearchResult{Total: total, Status: &bleve.SearchStatus{Total: 1, Successful: 1}}
	var err error
	if from < len(hits) {
		res.Hits = make(search.DocumentMatchCollection, 0, len(hits)-from)
		for i := range hits[from:] {
			e := &hits[from+i]
			id := h.id(e)
			if lookupErr != nil {
				return nil, searchError(ctx, lookupErr)
			}
			hit := &search.DocumentMatch{ID: id, Score: e.score}
			if len(sr.Fields) > 0 { // Bleve's own loading, without a highlighter
				if err, _ := bleve.LoadAndHighlightFields(hit, sr, "", pl.r, nil); err != nil {
					return nil, searchError(ctx, err)
				}
			}
			res.Hits = append(res.Hits, hit)
			res.MaxScore = max(res.MaxScore, e.score)
		}
	}
	if facets != nil {
		if res.Facets, err = pl.facets(ctx, facets, matched, total); err != nil {
			return nil, searchError(ctx, err)
		}
	}
	return res, nil
}
