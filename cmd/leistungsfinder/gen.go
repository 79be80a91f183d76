package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// genMarker is the file gen keeps beside the store it fills: the scale and
// seed, so that a second run resumes the same catalogue and never writes
// into a store it did not make.
const genMarker = "gen.json"

type genState struct {
	Scale    string `json:"scale"`
	Seed     uint64 `json:"seed"`
	Complete bool   `json:"complete"`
}

// runGen writes a generated catalogue of a scale into a data directory:
// the demo catalogue plus synthetic services, offices and responsibilities
// (demo.LoadScale), then builds the search index, so that serve opens it
// without building anything. Killed, it continues where it stopped when run
// again with the same flags.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scaleName := fs.String("scale", "S", "S (the demo catalogue), M (2,000 services, 6,000 offices, 500,000 responsibilities) or L (20,000, 60,000, 5 million)")
	out := fs.String("o", "", "data directory to write (created; a directory gen wrote before is resumed)")
	seed := fs.Uint64("seed", 1, "seed of the synthetic records; equal seeds give equal catalogues")
	batch := fs.Int("batch", 10_000, "records per write transaction")
	level := fs.String("log-level", env("LF_LOG_LEVEL", "info"), "debug, info, warn or error (LF_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("gen: -o DIR is required")
	}
	sc, err := demo.ScaleNamed(*scaleName)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	log := newLogger(stderr, *level)
	want := genState{Scale: sc.Name, Seed: *seed}
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return err
	}
	marker := filepath.Join(*out, genMarker)
	var have genState
	b, err := os.ReadFile(marker)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &have); err != nil {
			return fmt.Errorf("gen: %s is damaged (%v); remove the directory and start again", marker, err)
		}
		if have.Scale != want.Scale || have.Seed != want.Seed {
			return fmt.Errorf("gen: %s holds scale %s seed %d, not scale %s seed %d; choose another directory", *out, have.Scale, have.Seed, want.Scale, want.Seed)
		}
		if have.Complete {
			fmt.Fprintf(stdout, "gen: %s already holds scale %s seed %d, complete\n", *out, have.Scale, have.Seed)
			return nil
		}
		log.Info("gen: resuming", "dir", *out, "scale", sc.Name, "seed", *seed)
	case errors.Is(err, os.ErrNotExist):
		if _, err := os.Stat(storePath(*out)); err == nil {
			return fmt.Errorf("gen: %s already holds a store that gen did not write; choose an empty directory", *out)
		}
		if err := writeGenState(marker, want); err != nil {
			return err
		}
	default:
		return err
	}

	start := time.Now()
	st, err := catalog.Open(storePath(*out), catalog.Options{Portal: "HE", Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := demo.LoadScale(ctx, st, sc, demo.ScaleOptions{Seed: *seed, Log: log, BatchSize: *batch})
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	t0 := time.Now()
	log.Info("gen: building the search index")
	ix, err := search.Open(filepath.Join(*out, "search.bleve"), st, log)
	if err != nil {
		return fmt.Errorf("gen: search index: %w", err)
	}
	docs, _ := ix.DocCount()
	if err := ix.Close(); err != nil {
		return err
	}
	want.Complete = true
	if err := writeGenState(marker, want); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gen: scale %s seed %d in %s: %d regions, %d services, %d offices, %d online services, %d responsibilities (store %s), search index %d documents (%s); %s\n",
		sc.Name, *seed, *out, sum.Regions, sum.Services, sum.Offices, sum.OnlineServices, sum.Responsibilities,
		loaded.Round(time.Second), docs, time.Since(t0).Round(time.Second), goMemory())
	return nil
}

// goMemory describes the memory the Go runtime took from the system: the
// peak a long command needed besides the store file it maps (which the
// kernel pages in and out and counts in the RSS too).
func goMemory() string {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return fmt.Sprintf("Go memory %d MB, heap in use %d MB", m.Sys>>20, m.HeapInuse>>20)
}

func writeGenState(path string, s genState) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
