// Command leistungsfinder runs the catalogue server and its operator tools.
//
//	leistungsfinder serve     run the GraphQL server (demo data on an empty data directory)
//	leistungsfinder backup    write a consistent copy of the store while it runs or not
//	leistungsfinder restore   replace the store with a checked backup
//	leistungsfinder check     verify records, indexes, history and change log
//	leistungsfinder editor    add, list or revoke editors and their tokens
//	leistungsfinder reindex   rebuild the search index from the store
//	leistungsfinder eval      measure search relevance (nDCG@10, MRR@10, recall@10, zero results)
//	leistungsfinder peer      add, list or remove peer portals; print our feed's public key
//	leistungsfinder export    every English label and text as JSON (--lang en)
//	leistungsfinder gen       write a generated catalogue (scale S, M or L) into a data directory
//	leistungsfinder bench     load-test page, localService and search against their baselines
//	leistungsfinder xzufi     export as XZuFi 2.2 (export -o DIR), import XZuFi (import DIR|URL)
//	leistungsfinder import    import the portal network's PVOG CSV or detail JSON
//	leistungsfinder audit     export the audit log as JSON lines
//
// Run a subcommand with -h for its flags. Flags fall back to environment
// variables (LF_ADDR, LF_DATA, LF_PORTAL, LF_LOG_LEVEL).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "leistungsfinder:", err)
		os.Exit(1)
	}
}

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the GraphQL server", runServe},
		{"backup", "write a consistent copy of the store", runBackup},
		{"restore", "replace the store with a checked backup (server stopped)", runRestore},
		{"check", "verify records, indexes, history and change log", runCheck},
		{"editor", "add, list or revoke editors and their tokens (server stopped)", runEditor},
		{"reindex", "rebuild the search index from the store, with progress (server stopped)", runReindex},
		{"eval", "measure search relevance on a query file: nDCG@10, MRR@10, recall@10, zero results", runEval},
		{"peer", "add, list or remove the peer portals this one mirrors; print our feed key", runPeer},
		{"export", "write every English label and text as JSON for the Bundesportal (--lang en)", runExport},
		{"gen", "write a generated catalogue of scale S, M or L into a data directory (resumable)", runGen},
		{"bench", "load-test the page, localService and search against plain net/http and PostgreSQL 15 (BENCHMARKS.md)", runBench},
		{"xzufi", "export the catalogue as XZuFi 2.2 for the portal network, or import XZuFi (server stopped)", runXZuFi},
		{"import", "import the portal network's PVOG CSV (pvog-csv FILE) or detail JSON (pvog-json FILE|DIR) (server stopped)", runImportCmd},
		{"audit", "export the audit log as JSON lines (server stopped)", runAudit},
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, "usage: leistungsfinder <command> [flags]\n\ncommands:")
		for _, c := range commands() {
			fmt.Fprintf(stderr, "  %-9s %s\n", c.name, c.summary)
		}
		if len(args) == 0 {
			return flag.ErrHelp
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return fmt.Errorf("unknown command %q (run without arguments for the list)", args[0])
}

// env returns the environment variable or def, for flag defaults.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envInt returns the environment variable as an integer, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// envDuration returns the environment variable as a duration, or def.
func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// envBool returns the environment variable as a boolean (1, true, yes), or def.
func envBool(name string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// newLogger returns the JSON logger of every command. Durations are logged
// in one unit everywhere: milliseconds as a float, under the attribute's
// name with "_ms" appended ("took_ms": 12.5), whoever logs them.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: durationsInMilliseconds}))
}

func durationsInMilliseconds(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.Float64(a.Key+"_ms", float64(a.Value.Duration())/float64(time.Millisecond))
	}
	return a
}
