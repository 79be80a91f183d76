package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
)

// backupHandler streams a consistent copy of the running store. It needs
// the operator token: the copy holds everything, drafts included.
func backupHandler(st *catalog.Store, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		want := []byte("Bearer " + token)
		if token == "" || subtle.ConstantTimeCompare(got, want) != 1 {
			http.Error(w, `{"errors":[{"message":"operator token required","extensions":{"code":"UNAUTHENTICATED"}}]}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="catalog-`+strconv.FormatUint(st.Revision(), 10)+`.db"`)
		if _, err := st.Backup(w); err != nil {
			// Headers are gone; the client sees a short body and fails its check.
			return
		}
	})
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory of a stopped server (LF_DATA)")
	url := fs.String("url", "", "base URL of a running server, to back it up online (needs -token)")
	token := fs.String("token", env("LF_ADMIN_TOKEN", ""), "operator token of the running server (LF_ADMIN_TOKEN)")
	out := fs.String("o", "", "output file (default catalog-<time>.db)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = "catalog-" + time.Now().UTC().Format("20060102T150405Z") + ".db"
	}
	tmp := *out + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	var n int64
	if *url != "" {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *url+"/admin/backup", nil)
		req.Header.Set("Authorization", "Bearer "+*token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			f.Close()
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			f.Close()
			return fmt.Errorf("backup from %s: %s", *url, resp.Status)
		}
		n, err = io.Copy(f, resp.Body)
		if err != nil {
			f.Close()
			return err
		}
	} else {
		st, err := catalog.Open(storePath(*dataDir), catalog.Options{ReadOnly: true})
		if errors.Is(err, catalog.ErrLocked) {
			err = fmt.Errorf("%w; while it runs, back it up with -url and -token", err)
		}
		if err != nil {
			f.Close()
			return err
		}
		n, err = st.Backup(f)
		st.Close()
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	// Prove the copy before calling it a backup.
	check, err := catalog.Open(tmp, catalog.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	cerr := check.Check()
	rev := check.Revision()
	check.Close()
	if cerr != nil {
		return fmt.Errorf("the copy fails the consistency check: %w", cerr)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes, revision %d, check passed)\n", *out, n, rev)
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (server stopped) (LF_DATA)")
	in := fs.String("i", "", "backup file to restore")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" {
		return errors.New("restore: -i backup file is required")
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.MkdirAll(*dataDir, 0o750); err != nil {
		return err
	}
	kept, err := catalog.Restore(storePath(*dataDir), f, catalog.RestoreOptions{Check: checkInChild(ctx)})
	if err != nil {
		return fmt.Errorf("restore %s: %w", *in, err)
	}
	if kept == "" {
		fmt.Fprintf(stdout, "restored %s into %s (there was no store to keep)\n", *in, *dataDir)
	} else {
		fmt.Fprintf(stdout, "restored %s into %s; the previous store is kept as %s\n", *in, *dataDir, kept)
	}
	return nil
}

// envRunAsMain makes a test binary run main, so that the tests can start
// "the binary" as a child process: the restore check and the crash tests.
const envRunAsMain = "LEISTUNGSFINDER_RUN_AS_MAIN"

// checkInChild returns a restore check that runs `check -file` in a child
// process of this binary: a backup damaged in a way that makes bbolt fault
// or panic takes down the child, not the restore.
func checkInChild(ctx context.Context) func(path string) error {
	return func(path string) error {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, exe, "check", "-file", path)
		cmd.Env = append(os.Environ(), envRunAsMain+"=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err = cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &exit) && exit.Exited():
			return fmt.Errorf("it fails the check: %s", firstLines(out.String(), 20))
		case errors.As(err, &exit):
			return fmt.Errorf("checking it crashed the checker (%v): the file is damaged", exit.ProcessState)
		}
		return fmt.Errorf("cannot run the check: %w", err)
	}
}

// firstLines returns up to n lines of s, trimmed.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... and %d more lines", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	file := fs.String("file", "", "check this store file instead of the data directory's (a backup)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := storePath(*dataDir)
	if *file != "" {
		path = *file
	}
	if err := catalog.VerifyFile(path, *file != ""); err != nil {
		return err
	}
	st, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Check(); err != nil {
		return fmt.Errorf("check failed:\n%w", err)
	}
	var state demo.State
	if err := st.View(ctx, func(tx *catalog.Tx) error { state = demo.Inspect(tx); return nil }); err != nil {
		return err
	}
	if state.Incomplete {
		return errors.New("check failed: the demo catalogue was not loaded completely (a first start was interrupted); the next serve completes it")
	}
	fmt.Fprintf(stdout, "check passed: revision %d, %s\n", st.Revision(), time.Since(start).Round(time.Millisecond))
	return nil
}
