package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/federation/pvog"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// runXZuFi exports the catalogue as XZuFi 2.2 transfer documents for the
// portal network's gateway, or imports such documents (server stopped).
func runXZuFi(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: leistungsfinder xzufi export -o DIR | xzufi import [-dry-run] [-delete] DIR|URL")
	if len(args) == 0 {
		return usage
	}
	fs := flag.NewFlagSet("xzufi "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	switch args[0] {
	case "export":
		out := fs.String("o", "", "directory to write index.txt and the XML files into")
		maxObjects := fs.Int("max-objects", 1000, "objects per file")
		maxShrink := fs.Float64("max-shrink", 0.2, "largest share of objects the export may drop compared with the one published before in the directory")
		force := fs.Bool("force", false, "publish even if the export shrank by more than -max-shrink")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("xzufi export: -o DIR is required")
		}
		// The export only reads: read-only, so that it can run on a copy
		// nobody may write to (a benchmark's data directory, a backup).
		st, err := catalog.Open(storePath(*dataDir), catalog.Options{ReadOnly: true})
		if err != nil {
			return fmt.Errorf("%w (is a server running on it?)", err)
		}
		defer st.Close()
		start, mem := time.Now(), heapPeak()
		defer mem()
		m, err := xzufi.Export(ctx, st, *out, xzufi.ExportOptions{MaxObjects: *maxObjects, MaxShrink: *maxShrink, Force: *force,
			Progress: func(n int) { fmt.Fprintf(stderr, "\rexported %d objects", n) }})
		fmt.Fprintln(stderr)
		if err != nil {
			return err
		}
		for _, l := range m.LeftOut {
			fmt.Fprintln(stderr, "left out:", l)
		}
		took := time.Since(start)
		fmt.Fprintf(stdout, "exported revision %d to %s: %d services, %d offices, %d online services, %d local additions, %d responsibilities in %d files (%d bytes), %d left out, in %s (%.0f records/s); %s\n",
			m.Revision, *out, m.Counts.Services, m.Counts.Offices, m.Counts.OnlineServices, m.Counts.Specialisations,
			m.Counts.Responsibilities, len(m.Files), m.Bytes(), m.LeftOutCount, took.Round(time.Millisecond),
			float64(m.Counts.Objects()+m.Counts.Responsibilities)/took.Seconds(), mem())
		return nil
	case "import":
		opt, err := importFlags(fs, args[1:])
		if err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("xzufi import: name one directory or base URL")
		}
		src := fs.Arg(0)
		return withStore(*dataDir, func(st *catalog.Store) error {
			start, mem := time.Now(), heapPeak()
			defer mem()
			set, _, err := federation.OpenXZuFi(ctx, src, federation.XZuFiOptions{})
			if err != nil {
				return err
			}
			defer set.Close()
			fmt.Fprintf(stderr, "%s: %d files, %d objects, %d responsibilities read and checked in %s\n", src, len(set.Files), set.Objects, set.Responsibilities,
				time.Since(start).Round(time.Millisecond))
			next, stop := set.Items(ctx)
			defer stop()
			opt.LeikaKeys = set.LeikaKeys
			return runImport(ctx, st, next, opt, start, mem, stdout, stderr)
		})
	}
	return usage
}

// importFlags parses the flags every import shares.
func importFlags(fs *flag.FlagSet, args []string) (federation.ImportOptions, error) {
	var opt federation.ImportOptions
	fs.BoolVar(&opt.DryRun, "dry-run", false, "show what would change; write nothing")
	fs.BoolVar(&opt.Deletes, "delete", false, "apply the deletions the input asks for (XZuFi loesche); without it nothing is deleted")
	fs.StringVar(&opt.Reason, "reason", "import", "reason written into the history of every record")
	err := fs.Parse(args)
	return opt, err
}

// runImport applies items with progress on stderr, then prints the
// rejections and the summary line with the time and memory since start
// (mem from heapPeak).
func runImport(ctx context.Context, st *catalog.Store, next func() (*federation.ImportItem, error), opt federation.ImportOptions,
	start time.Time, mem func() string, stdout, stderr io.Writer) error {
	opt.Actor = "import"
	opt.Progress = func(s federation.ImportSummary) { fmt.Fprintf(stderr, "\r%d records: %s", s.Total(), s) }
	sum, err := federation.Import(ctx, st, next, opt)
	fmt.Fprintln(stderr)
	for _, r := range sum.Rejections {
		fmt.Fprintln(stdout, "rejected:", r)
	}
	if sum.Rejected > len(sum.Rejections) {
		fmt.Fprintf(stdout, "rejected: ... and %d more\n", sum.Rejected-len(sum.Rejections))
	}
	for _, r := range sum.Skips {
		fmt.Fprintln(stdout, "skipped:", r)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "import: %s in %s (%.0f records/s); %s\n", sum, took.Round(time.Millisecond), float64(sum.Total())/took.Seconds(), mem())
	return err
}

// runImportCmd imports the portal network's PVOG search-service formats
// (server stopped).
func runImportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: leistungsfinder import pvog-csv [-dry-run] FILE | import pvog-json [-dry-run] FILE|DIR")
	if len(args) == 0 {
		return usage
	}
	fs := flag.NewFlagSet("import "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	opt, err := importFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage
	}
	src := fs.Arg(0)
	start, mem := time.Now(), heapPeak()
	defer mem()
	var items []*federation.ImportItem
	switch args[0] {
	case "pvog-csv":
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		items, err = pvog.ReadCSV(f, filepath.Base(src))
		f.Close()
		if err != nil {
			return err
		}
	case "pvog-json":
		files := []string{src}
		if fi, err := os.Stat(src); err != nil {
			return err
		} else if fi.IsDir() {
			files, _ = filepath.Glob(filepath.Join(src, "*.json"))
			if len(files) == 0 {
				return fmt.Errorf("%s: no .json files", src)
			}
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			its, err := pvog.ReadJSON(b, filepath.Base(name))
			if err != nil {
				return err
			}
			items = append(items, its...)
		}
	default:
		return usage
	}
	fmt.Fprintf(stderr, "%s: %d records read\n", src, len(items))
	return withStore(*dataDir, func(st *catalog.Store) error {
		return runImport(ctx, st, federation.Items(items), opt, start, mem, stdout, stderr)
	})
}
