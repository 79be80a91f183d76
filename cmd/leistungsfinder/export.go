package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Export is the JSON document `leistungsfinder export --lang en` writes for
// the Bundesportal: every label and every text of the catalogue in one
// language, with the translation's metadata, and the gaps.
type Export struct {
	Language  string            `json:"language"`
	Portal    string            `json:"portal"`
	Revision  uint64            `json:"revision"`
	CreatedAt time.Time         `json:"createdAt"`
	Labels    map[string]string `json:"labels"`
	Services  []ExportRecord    `json:"services"`
	Offices   []ExportRecord    `json:"offices"`
	Online    []ExportRecord    `json:"onlineServices"`
	Summary   ExportSummary     `json:"summary"`
}

type ExportRecord struct {
	ID        string                `json:"id"`
	LeikaKeys []string              `json:"leikaKeys,omitempty"`
	Texts     map[string]ExportText `json:"texts"`
	// Missing are the paths with German text and no translation.
	Missing []string `json:"missing,omitempty"`
}

type ExportText struct {
	Text              string `json:"text"`
	MachineTranslated bool   `json:"machineTranslated,omitempty"`
	Translator        string `json:"translator,omitempty"`
	Stale             bool   `json:"stale,omitempty"`
	SourceRevision    uint64 `json:"sourceRevision,omitempty"`
}

type ExportSummary struct {
	Texts   int `json:"texts"`
	Missing int `json:"missing"`
	Stale   int `json:"stale"`
	Machine int `json:"machineTranslated"`
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (server stopped) (LF_DATA)")
	lang := fs.String("lang", "en", "language to export (en)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l := strings.ToLower(*lang)
	if l != i18n.EN {
		return errors.New("export: only --lang en is exported (German is the source)")
	}
	path := storePath(*dataDir)
	st, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	if err != nil {
		return err // a running server's store is ErrLocked, which says to stop it
	}
	defer st.Close()
	doc := Export{Language: l, Portal: st.Portal(), Revision: st.Revision(), CreatedAt: st.Now().UTC(), Labels: i18n.Labels(l)}
	start := time.Now()
	err = st.View(ctx, func(tx *catalog.Tx) error {
		for _, k := range []catalog.Kind{catalog.KindService, catalog.KindOffice, catalog.KindOnlineService} {
			n := 0
			err := tx.Each(k, func(r catalog.Record) (bool, error) {
				m := catalog.MetaOf(r)
				if m.Origin != st.Portal() {
					return true, nil // mirrored records are exported by their own portal
				}
				if s, ok := r.(*catalog.Service); ok && s.Status != catalog.StatusPublished {
					return true, nil
				}
				rec := ExportRecord{ID: m.ID, Texts: map[string]ExportText{}}
				if s, ok := r.(*catalog.Service); ok {
					rec.LeikaKeys = s.LeikaKeys
				}
				catalog.EachText(r, func(p string, t i18n.Text) {
					if t[i18n.DE].Value == "" {
						return
					}
					v, ok := t[l]
					if !ok || v.Value == "" {
						rec.Missing = append(rec.Missing, p)
						doc.Summary.Missing++
						return
					}
					et := ExportText{Text: v.Value, MachineTranslated: v.MachineTranslated, Translator: v.Translator,
						Stale: t.Stale(l), SourceRevision: v.SourceRevision}
					rec.Texts[p] = et
					doc.Summary.Texts++
					if et.Stale {
						doc.Summary.Stale++
					}
					if et.MachineTranslated {
						doc.Summary.Machine++
					}
				})
				switch k {
				case catalog.KindService:
					doc.Services = append(doc.Services, rec)
				case catalog.KindOffice:
					doc.Offices = append(doc.Offices, rec)
				default:
					doc.Online = append(doc.Online, rec)
				}
				if n++; n%500 == 0 {
					fmt.Fprintf(stderr, "export: %s: %d records\n", k, n)
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "export: %d services, %d offices, %d online services; %d English texts (%d stale, %d machine-translated), %d missing; %s\n",
		len(doc.Services), len(doc.Offices), len(doc.Online), doc.Summary.Texts, doc.Summary.Stale, doc.Summary.Machine,
		doc.Summary.Missing, time.Since(start).Round(time.Millisecond))
	return nil
}
