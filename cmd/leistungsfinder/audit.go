package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// runAudit exports the audit log (server stopped: bbolt lets one process
// hold the store while it writes).
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: leistungsfinder audit export [-data DIR] [-after SEQ] [-o FILE]")
	if len(args) == 0 || args[0] != "export" {
		return usage
	}
	fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	after := fs.Uint64("after", 0, "export only entries after this sequence number (the last one exported before)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := catalog.Open(storePath(*dataDir), catalog.Options{ReadOnly: true})
	if err != nil {
		return err // a running server's store is ErrLocked, which says to stop it
	}
	defer st.Close()
	w, name := stdout, "standard output"
	var f *os.File
	if *out != "" {
		f, err = os.OpenFile(*out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("%w (the export never overwrites a file)", err)
		}
		defer f.Close()
		w, name = f, *out
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n, first, last := 0, uint64(0), *after
	for {
		entries, err := st.Audit(ctx, last, 1000)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return err
			}
			if n == 0 {
				first = e.Seq
			}
			last = e.Seq
			n++
		}
		if len(entries) < 1000 {
			break
		}
		if n%100_000 == 0 {
			fmt.Fprintf(stderr, "audit export: %d entries so far\n", n)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if n == 0 {
		fmt.Fprintf(stderr, "audit export: no entries after %d\n", *after)
		return nil
	}
	fmt.Fprintf(stderr, "audit export: %d entries (seq %d to %d) written to %s; next time use -after %d\n", n, first, last, name, last)
	return nil
}
