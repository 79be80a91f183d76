package search

import (
	"container/heap"
	"sort"

	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	htmlformat "github.com/blevesearch/bleve/v2/search/highlight/format/html"
	simplefrag "github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simplehl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
	index "github.com/blevesearch/bleve_index_api"
)

// fragmentSize is the length of a highlight fragment in bytes.
const fragmentSize = 160

// markHighlighter is Bleve's simple highlighter with one difference: it
// merges overlapping matches into one <mark> before formatting. A compound
// matches as a whole and through its parts (Hundesteuer, hund, steuer);
// Bleve's TermLocations.MergeOverlapping can shrink the first location to
// the end of a shorter one, which marks "Hund" instead of "Hundesteuer".
type markHighlighter struct {
	fragmenter highlight.Fragmenter
	formatter  highlight.FragmentFormatter
	sep        string
}

func markHighlighterConstructor(config map[string]any, cache *registry.Cache) (highlight.Highlighter, error) {
	return &markHighlighter{
		fragmenter: simplefrag.NewFragmenter(fragmentSize),
		formatter:  htmlformat.NewFragmentFormatter("<mark>", "</mark>"),
		sep:        simplehl.DefaultSeparator,
	}, nil
}

func (h *markHighlighter) Fragmenter() highlight.Fragmenter                   { return h.fragmenter }
func (h *markHighlighter) SetFragmenter(f highlight.Fragmenter)               { h.fragmenter = f }
func (h *markHighlighter) FragmentFormatter() highlight.FragmentFormatter     { return h.formatter }
func (h *markHighlighter) SetFragmentFormatter(f highlight.FragmentFormatter) { h.formatter = f }
func (h *markHighlighter) Separator() string                                  { return h.sep }
func (h *markHighlighter) SetSeparator(s string)                              { h.sep = s }

func (h *markHighlighter) BestFragmentInField(dm *search.DocumentMatch, doc index.Document, field string) string {
	if f := h.BestFragmentsInField(dm, doc, field, 1); len(f) > 0 {
		return f[0]
	}
	return ""
}

func (h *markHighlighter) BestFragmentsInField(dm *search.DocumentMatch, doc index.Document, field string, num int) []string {
	tlm := dm.Locations[field]
	locs := mergeLocations(highlight.OrderTermLocations(tlm))
	scorer := simplehl.NewFragmentScorer(tlm)
	fq := make(simplehl.FragmentQueue, 0)
	heap.Init(&fq)
	doc.VisitFields(func(f index.Field) {
		if f.Name() != field {
			return
		}
		if _, ok := f.(index.TextField); !ok {
			return
		}
		var same highlight.TermLocations
		for _, l := range locs {
			if l.ArrayPositions.Equals(f.ArrayPositions()) {
				same = append(same, l)
			}
		}
		if len(same) == 0 {
			return
		}
		for _, fr := range h.fragmenter.Fragment(f.Value(), same) {
			fr.ArrayPositions = f.ArrayPositions()
			scorer.Score(fr)
			heap.Push(&fq, fr)
		}
	})
	var best []*highlight.Fragment
	for fq.Len() > 0 && len(best) < num {
		c := heap.Pop(&fq).(*highlight.Fragment)
		overlaps := false
		for _, b := range best {
			if c.Overlaps(b) {
				overlaps = true
				break
			}
		}
		if !overlaps {
			best = append(best, c)
		}
	}
	out := make([]string, 0, len(best))
	for _, fr := range best {
		s := h.formatter.Format(fr, locs)
		if fr.Start != 0 {
			s = h.sep + s
		}
		if fr.End != len(fr.Orig) {
			s += h.sep
		}
		out = append(out, s)
	}
	if len(out) > 0 {
		dm.AddFragments(field, out)
	}
	return out
}

// mergeLocations returns the union of overlapping locations, ordered by
// array position and start.
func mergeLocations(in highlight.TermLocations) highlight.TermLocations {
	sort.SliceStable(in, func(i, j int) bool {
		if c := compareArrayPositions(in[i].ArrayPositions, in[j].ArrayPositions); c != 0 {
			return c < 0
		}
		if in[i].Start != in[j].Start {
			return in[i].Start < in[j].Start
		}
		return in[i].End > in[j].End
	})
	var out highlight.TermLocations
	for _, l := range in {
		if n := len(out); n > 0 {
			last := out[n-1]
			if last.ArrayPositions.Equals(l.ArrayPositions) && l.Start < last.End {
				if l.End > last.End {
					last.End = l.End
				}
				continue
			}
		}
		c := *l
		out = append(out, &c)
	}
	return out
}

func compareArrayPositions(a, b search.ArrayPositions) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}
