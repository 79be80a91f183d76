package search

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// EvalQuery is one query of a relevance test set with its judgments.
type EvalQuery struct {
	Query string
	ARS   string // optional place
	Lang  string // "", "de" or "en"
	// Relevant maps LeiKa keys to grades: 3 is the answer, 2 relevant,
	// 1 related. Keys not listed count as not relevant.
	Relevant map[string]int
	// Category is the kind of query ("life-situation", "slang", ...), an
	// optional fifth field, so that a report can say where the search is weak.
	Category string
	Line     int // line in the file it was read from, for messages
}

// EvalReport is the outcome of Evaluate: means over all queries.
type EvalReport struct {
	EvalMeans
	Errors  int // queries the search refused or failed
	Results []EvalResult
	// Categories are the means per category, in the order categories first
	// appear in the query set; empty when no query has a category.
	Categories []CategoryReport
}

// EvalMeans are the mean relevance figures of a set of queries.
type EvalMeans struct {
	Queries        int
	NDCG10         float64 // normalised discounted cumulative gain at 10, gain 2^grade-1
	MRR10          float64 // mean reciprocal rank of the first judged hit within 10
	Recall10       float64 // share of the judged keys found within 10
	ZeroResultRate float64 // share of queries without any hit
}

// CategoryReport is the mean relevance of one category of queries.
type CategoryReport struct {
	Category string
	EvalMeans
}

// EvalResult is the outcome for one query.
type EvalResult struct {
	EvalQuery
	NDCG10, RR10, Recall10 float64
	Total                  int
	Top                    []string // LeiKa keys of the first ten hits (first key of each)
	Err                    string
}

const evalDepth = 10

// Evaluate runs every query against ix and computes nDCG@10, MRR@10,
// recall@10 and the zero-result rate. A hit counts with the highest grade
// of its LeiKa keys; a judged key counts once, at its first hit (a service
// mirrored from a peer portal does not earn the gain twice).
func Evaluate(ctx context.Context, ix *Index, queries []EvalQuery) EvalReport {
	var rep EvalReport
	for _, q := range queries {
		r := evaluate(ctx, ix, q)
		if r.Err != "" {
			rep.Errors++
		}
		rep.Results = append(rep.Results, r)
	}
	rep.EvalMeans = means(rep.Results)
	rep.Categories = categories(rep.Results)
	return rep
}

// evaluate runs one query.
func evaluate(ctx context.Context, ix *Index, q EvalQuery) EvalResult {
	r := EvalResult{EvalQuery: q}
	res, err := ix.Search(ctx, Request{Query: q.Query, ARS: q.ARS, Lang: q.Lang, First: evalDepth})
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.Total = res.Total
	grades := make([]int, 0, len(res.Hits))
	seen := map[string]bool{}
	for _, h := range res.Hits {
		if len(h.LeikaKeys) > 0 {
			r.Top = append(r.Top, h.LeikaKeys[0])
		}
		g, key := 0, ""
		for _, k := range h.LeikaKeys {
			if q.Relevant[k] > g && !seen[k] {
				g, key = q.Relevant[k], k
			}
		}
		if key != "" {
			seen[key] = true
		}
		grades = append(grades, g)
	}
	r.NDCG10 = ndcg(grades, q.Relevant)
	for i, g := range grades {
		if g > 0 {
			r.RR10 = 1 / float64(i+1)
			break
		}
	}
	if len(q.Relevant) > 0 {
		r.Recall10 = float64(len(seen)) / float64(len(q.Relevant))
	}
	return r
}

// means averages the figures of rs; a query the search refused counts
// with zeros.
func means(rs []EvalResult) EvalMeans {
	var m EvalMeans
	for _, r := range rs {
		m.NDCG10 += r.NDCG10
		m.MRR10 += r.RR10
		m.Recall10 += r.Recall10
		if r.Err == "" && r.Total == 0 {
			m.ZeroResultRate++
		}
	}
	if n := float64(len(rs)); n > 0 {
		m.Queries = len(rs)
		m.NDCG10 /= n
		m.MRR10 /= n
		m.Recall10 /= n
		m.ZeroResultRate /= n
	}
	return m
}

// categories returns the means per category, in the order the categories
// first appear.
func categories(rs []EvalResult) []CategoryReport {
	var out []CategoryReport
	var byCat [][]EvalResult
	at := map[string]int{}
	for _, r := range rs {
		if r.Category == "" {
			continue
		}
		i, ok := at[r.Category]
		if !ok {
			i = len(out)
			at[r.Category] = i
			out = append(out, CategoryReport{Category: r.Category})
			byCat = append(byCat, nil)
		}
		byCat[i] = append(byCat[i], r)
	}
	for i := range out {
		out[i].EvalMeans = means(byCat[i])
	}
	return out
}

func ndcg(grades []int, relevant map[string]int) float64 {
	dcg := 0.0
	for i, g := range grades {
		if i >= evalDepth {
			break
		}
		dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	ideal := make([]int, 0, len(relevant))
	for _, g := range relevant {
		ideal = append(ideal, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ideal)))
	idcg := 0.0
	for i, g := range ideal {
		if i >= evalDepth {
			break
		}
		idcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if idcg == 0 {
		return 0
	}
	return dcg / idcg
}

// ParseQueries reads a query file: one query per line, four or five
// fields separated by tabs:
//
//	query <TAB> place ARS (or empty) <TAB> language (de, en or empty) <TAB> judgments [<TAB> category]
//
// where judgments are LeiKa keys with grades, "99115005104000:3
// 99115005011000:2", and the optional category names the kind of query.
// Empty lines and lines starting with # are skipped.
func ParseQueries(r io.Reader) ([]EvalQuery, error) {
	var out []EvalQuery
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if strings.TrimSpace(s) == "" || strings.HasPrefix(strings.TrimSpace(s), "#") {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) != 4 && len(f) != 5 {
			return nil, fmt.Errorf("line %d: %d fields, want 4 or 5 (query, ars, lang, judgments, category)", line, len(f))
		}
		q := EvalQuery{Query: strings.TrimSpace(f[0]), ARS: strings.TrimSpace(f[1]), Lang: strings.TrimSpace(f[2]),
			Relevant: map[string]int{}, Line: line}
		if len(f) == 5 {
			q.Category = strings.TrimSpace(f[4])
		}
		if q.Query == "" {
			return nil, fmt.Errorf("line %d: empty query", line)
		}
		if q.ARS != "" && !catalog.ValidARS(q.ARS) {
			return nil, fmt.Errorf("line %d: %q is not a region key", line, q.ARS)
		}
		if _, err := parseLang(q.Lang); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		for _, j := range strings.Fields(f[3]) {
			key, grade, ok := strings.Cut(j, ":")
			g, err := strconv.Atoi(grade)
			if !ok || err != nil || g < 1 || g > 3 || !catalog.ValidLeika(key) {
				return nil, fmt.Errorf("line %d: judgment %q is not KEY:GRADE with a 14-digit key and grade 1-3", line, j)
			}
			q.Relevant[key] = g
		}
		if len(q.Relevant) == 0 {
			return nil, fmt.Errorf("line %d: no judgments", line)
		}
		out = append(out, q)
	}
	return out, sc.Err()
}

// WriteText prints the report: the means, then the worst queries.
func (rep EvalReport) WriteText(w io.Writer, worst int) {
	fmt.Fprintf(w, "queries %d  nDCG@10 %.4f  MRR@10 %.4f  recall@10 %.4f  zero-result rate %.4f  errors %d\n",
		rep.Queries, rep.NDCG10, rep.MRR10, rep.Recall10, rep.ZeroResultRate, rep.Errors)
	for _, c := range rep.Categories {
		fmt.Fprintf(w, "  %-16s queries %3d  nDCG@10 %.4f  MRR@10 %.4f  recall@10 %.4f  zero-result rate %.4f\n",
			c.Category, c.Queries, c.NDCG10, c.MRR10, c.Recall10, c.ZeroResultRate)
	}
	rs := append([]EvalResult(nil), rep.Results...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].NDCG10 < rs[j].NDCG10 })
	for i := 0; i < len(rs) && i < worst; i++ {
		r := rs[i]
		if r.NDCG10 >= 1 {
			break
		}
		fmt.Fprintf(w, "%.3f  %-40q %s ars=%s lang=%s total=%d top=%v want=%v %s\n",
			r.NDCG10, r.Query, r.Category, r.ARS, r.Lang, r.Total, head(r.Top, 5), r.Relevant, r.Err)
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
