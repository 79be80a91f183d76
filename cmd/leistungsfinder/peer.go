package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
)

// runPeer configures the peer portals this one mirrors (server stopped;
// pullers start with the server). Their tokens for our feed are editors of
// role PEER: `leistungsfinder editor add -role PEER -name BY`.
func runPeer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: leistungsfinder peer add|list|remove|key|quarantine [flags]")
	if len(args) == 0 {
		return usage
	}
	if args[0] == "quarantine" {
		return runPeerQuarantine(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("peer "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	switch args[0] {
	case "add":
		var p federation.Peer
		fs.StringVar(&p.ID, "id", "", "the peer portal's ID (BY)")
		fs.StringVar(&p.URL, "url", "", "its base URL (https://portal.example)")
		fs.StringVar(&p.Token, "token", "", "our PEER token for its feed")
		fs.StringVar(&p.PublicKey, "key", "", "its public key: JWK, JWKS, PEM or base64 Ed25519 (from its `peer key`)")
		fs.StringVar(&p.RegionKey, "ars", "", "the region key of its state (090000000000)")
		fs.StringVar(&p.Kind, "kind", federation.KindFeed, "feed (another Leistungsfinder's signed feed) or xzufi (a base URL with index.txt and XZuFi 2.2 files; no token, no key)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(*dataDir, func(st *catalog.Store) error {
			got, err := federation.AddPeer(ctx, st, p)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "peer %s added: %s (region %s); its records are mirrored from the next start\n", got.ID, got.URL, got.RegionKey)
			return nil
		})
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(*dataDir, func(st *catalog.Store) error {
			peers, err := federation.Peers(ctx, st)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tURL\tREGION\tTOKEN")
			for _, p := range peers {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Kind, p.URL, p.RegionKey, mask(p.Token))
			}
			tw.Flush()
			fmt.Fprintf(stdout, "%d peers\n", len(peers))
			return nil
		})
	case "remove":
		id := fs.String("id", "", "the peer's ID")
		purge := fs.Bool("purge", false, "also delete the records mirrored from it")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(*dataDir, func(st *catalog.Store) error {
			if err := federation.RemovePeer(ctx, st, *id, *purge); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "peer %s removed (mirrored records purged: %v)\n", *id, *purge)
			return nil
		})
	case "key":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		key, err := federation.LoadOrCreateKey(filepath.Join(*dataDir, "federation.key"))
		if err != nil {
			return err
		}
		pub := key.Public().(ed25519.PublicKey)
		fmt.Fprintln(stdout, federation.JWK(pub, federation.KeyID(pub)))
		return nil
	}
	return usage
}

func mask(token string) string {
	if len(token) <= 8 {
		return strings.Repeat("*", len(token))
	}
	return token[:6] + "…"
}
