package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
)

// runPeerQuarantine lists a peer's quarantined records or releases them
// (server stopped).
func runPeerQuarantine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: leistungsfinder peer quarantine list|release -id PEER [flags]")
	if len(args) == 0 {
		return usage
	}
	fs := flag.NewFlagSet("peer quarantine "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	peer := fs.String("id", "", "the peer's ID (BY)")
	switch args[0] {
	case "list":
		limit := fs.Int("limit", 50, "list at most this many records (0: all)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(*dataDir, func(st *catalog.Store) error {
			qs, err := federation.Quarantine(ctx, st, *peer)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tID\tREVISION\tSINCE\tREASON")
			for i, q := range qs {
				if *limit > 0 && i == *limit {
					break
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", q.Kind, q.ID, q.Revision, q.Time.Format("2006-01-02 15:04"), oneLine(q.Reason))
			}
			tw.Flush()
			fmt.Fprintf(stdout, "%d records of peer %s in quarantine\n", len(qs), *peer)
			return nil
		})
	case "release":
		records := fs.String("record", "", "comma-separated record IDs to release")
		all := fs.Bool("all", false, "release every quarantined record of the peer")
		discard := fs.Bool("discard", false, "drop the records from the quarantine without applying them (the peer's next version is applied as usual)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		var ids []string
		for _, id := range strings.Split(*records, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 && !*all {
			return errors.New("peer quarantine release: name the records with -record ID,... or use -all")
		}
		return withStore(*dataDir, func(st *catalog.Store) error {
			res, err := federation.ReleaseQuarantine(ctx, st, *peer, ids, *discard, federation.PullerOptions{})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "peer %s: %d applied, %d discarded, %d still quarantined (failed again; `peer quarantine list` shows why)\n",
				*peer, res.Applied, res.Discarded, res.Kept)
			return nil
		})
	}
	return usage
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}
