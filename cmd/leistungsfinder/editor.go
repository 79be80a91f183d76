package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// runEditor manages editors and their tokens directly on the data
// directory (the server must be stopped: bbolt allows one writer process).
// Admins do the same through GraphQL while it runs.
func runEditor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := errors.New("usage: leistungsfinder editor add|list|revoke [flags]")
	if len(args) == 0 {
		return usage
	}
	fs := flag.NewFlagSet("editor "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	switch args[0] {
	case "add":
		name := fs.String("name", "", "who holds the token (required)")
		role := fs.String("role", "", "STATE_EDITOR, MUNICIPAL_EDITOR, ADMIN or PEER (required)")
		scopes := fs.String("scope", "", "comma-separated region keys a municipal editor may edit (066360003003, or 066360000000 for a district)")
		expires := fs.Duration("expires", 0, "token lifetime, e.g. 2160h (default: no expiry)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		e := catalog.Editor{Name: *name, Role: catalog.AccessRole(strings.ToUpper(*role))}
		for _, s := range strings.Split(*scopes, ",") {
			if s = strings.TrimSpace(s); s != "" {
				e.Scopes = append(e.Scopes, s)
			}
		}
		return withEditorStore(*dataDir, func(st *catalog.Store) error {
			if *expires > 0 {
				t := st.Now().Add(*expires).UTC()
				e.ExpiresAt = &t
			}
			token, ed, err := st.CreateEditor(ctx, nil, e)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "editor %s created: %s, %s, scopes %v\n", ed.ID, ed.Name, ed.Role, ed.Scopes)
			fmt.Fprintf(stdout, "token (shown once, store it now):\n%s\n", token)
			return nil
		})
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withEditorStore(*dataDir, func(st *catalog.Store) error {
			eds, err := st.Editors(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tSCOPES\tSTATE")
			for _, e := range eds {
				state := "active"
				switch {
				case e.RevokedAt != nil:
					state = "revoked " + e.RevokedAt.Format(time.DateOnly)
				case e.ExpiresAt != nil && !e.Active(st.Now()):
					state = "expired " + e.ExpiresAt.Format(time.DateOnly)
				case e.ExpiresAt != nil:
					state = "active until " + e.ExpiresAt.Format(time.DateOnly)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.Name, e.Role, strings.Join(e.Scopes, ","), state)
			}
			tw.Flush()
			fmt.Fprintf(stdout, "%d editors\n", len(eds))
			return nil
		})
	case "revoke":
		id := fs.String("id", "", "editor ID (ED.000001)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withEditorStore(*dataDir, func(st *catalog.Store) error {
			e, err := st.RevokeEditor(ctx, nil, *id)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(stdout, "editor %s (%s) revoked\n", e.ID, e.Name)
			return nil
		})
	}
	return usage
}

// withStore opens the data directory's store for a command, runs fn and
// closes the store. A store a running server holds is catalog.ErrLocked,
// which asks whether the server runs; a command adds what to do instead.
func withStore(dataDir string, fn func(*catalog.Store) error) error {
	return withStoreOptions(dataDir, catalog.Options{}, fn)
}

// withStoreOptions is withStore with options (the bench's mirror opens
// its store under another portal).
func withStoreOptions(dataDir string, opt catalog.Options, fn func(*catalog.Store) error) error {
	st, err := catalog.Open(storePath(dataDir), opt)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// withEditorStore is withStore for the editor command, which says what to
// do while the server runs.
func withEditorStore(dataDir string, fn func(*catalog.Store) error) error {
	err := withStore(dataDir, fn)
	if errors.Is(err, catalog.ErrLocked) {
		err = fmt.Errorf("%w; while it runs, an admin manages editors with the GraphQL mutations", err)
	}
	return err
}

// describe spells out every broken field of a validation error.
func describe(err error) error {
	var es catalog.Errors
	if errors.As(err, &es) && len(es) > 1 {
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "\n  %s: %s", e.Field, e.Message)
		}
		return fmt.Errorf("%s%s", catalog.EINVALID, b.String())
	}
	return err
}
