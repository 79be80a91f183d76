package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// runReindex rebuilds the search index of a data directory from the store,
// with progress (server stopped; the server catches up by itself on start).
func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(*dataDir, func(st *catalog.Store) error {
		start := time.Now()
		path := filepath.Join(*dataDir, "search.bleve")
		// Without an index, opening builds one: rebuilding it right after
		// would do the same work twice.
		_, statErr := os.Stat(path)
		ix, err := search.Open(path, st, newLogger(stderr, "warn"))
		if err != nil {
			return err
		}
		defer ix.Close()
		if statErr == nil {
			last := time.Time{}
			err = ix.Rebuild(ctx, func(done, total int) {
				if time.Since(last) > time.Second || done == total {
					fmt.Fprintf(stdout, "reindex: %d/%d services\n", done, total)
					last = time.Now()
				}
			})
			if err != nil {
				return err
			}
		}
		n, _ := ix.DocCount()
		fmt.Fprintf(stdout, "reindex done: %d documents at revision %d in %s (%s)\n", n, ix.Revision(),
			time.Since(start).Round(time.Millisecond), goMemory())
		return nil
	})
}

// runEval measures the search's relevance on a query file over the demo
// catalogue (or a data directory): nDCG@10, MRR@10, recall@10, zero-result rate.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	queries := fs.String("queries", "testdata/search/queries.tsv,testdata/search/citizen.tsv",
		"query files, comma-separated: query, place, language, LEIKA:GRADE judgments[, category]")
	dataDir := fs.String("data", "", "data directory to evaluate (default: a fresh copy of the demo catalogue)")
	worst := fs.Int("worst", 10, "list the N worst queries")
	if err := fs.Parse(args); err != nil {
		return err
	}
	type set struct {
		name    string
		queries []search.EvalQuery
	}
	var sets []set
	for _, name := range strings.Split(*queries, ",") {
		f, err := os.Open(strings.TrimSpace(name))
		if err != nil {
			return err
		}
		qs, err := search.ParseQueries(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sets = append(sets, set{name, qs})
	}
	eval := func(st *catalog.Store) error {
		start := time.Now()
		ix, err := search.Open("", st, nil)
		if err != nil {
			return err
		}
		defer ix.Close()
		fmt.Fprintf(stdout, "eval: index built in %s\n", time.Since(start).Round(time.Millisecond))
		for _, s := range sets {
			fmt.Fprintf(stdout, "\n%s\n", s.name)
			rep := search.Evaluate(ctx, ix, s.queries)
			rep.WriteText(stdout, *worst)
		}
		return nil
	}
	if *dataDir != "" {
		return withStore(*dataDir, eval)
	}
	dir, err := os.MkdirTemp("", "leistungsfinder-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s := &Server{DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	st, err := s.openStoreWithDemo(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return eval(st)
}
