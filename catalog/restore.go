package catalog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
)

// ErrLocked means another process holds the store file: a running server,
// or a tool working on it.
var ErrLocked = errors.New("the store is in use by another process (is the server running? stop it first)")

// lockTimeout is how long opening or restoring waits for another process
// to let go of the store.
const lockTimeout = 2 * time.Second

// verifyBeforeOpen checks an existing store file before bbolt maps it, under
// the lock bbolt is about to take, so that a file a running server is
// writing is reported as in use rather than as damaged. A store its last
// process closed gets the quick check (quickCheckDepth): a full walk reads
// every page, which at the scale of the whole network (a 13 GB file) takes
// from ten seconds to more than a minute at every start. A store whose last
// process did not close it (its open marker is still there: a crash, a kill,
// a power cut) gets the full walk of VerifyFile, as do check and restore.
func verifyBeforeOpen(path string, readOnly bool) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err // bbolt initialises an empty file
	}
	if err := lockFile(f, !readOnly, lockTimeout); err != nil {
		return err
	}
	defer unlockFile(f)
	// The walk reads through the descriptor that holds the lock: one open
	// of the file, and what is checked is the file that is locked.
	depth := quickCheckDepth
	if _, err := os.Stat(openMarker(path)); err == nil {
		depth = boltMaxTreeDepth // an unclean stop: every page
	}
	if err := walkOpenFile(f, fi, false, depth); err != nil {
		return fmt.Errorf("%s is not an intact store file: %w", path, err)
	}
	return nil
}

// openMarker names the file that exists while a process has the store open
// for writing: Open creates it, Close removes it. Finding it at Open means
// the last writer did not close the store.
func openMarker(path string) string { return path + ".open" }

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Check proves the candidate file before it replaces the store. It
	// gets the path of a file that passed VerifyFile. Nil opens it here
	// and runs Store.Check; the command line runs the check in a child
	// process instead, so that not even a fault in bbolt can take the
	// command down.
	Check func(path string) error
	// Now stamps the name of the kept copy; nil is time.Now.
	Now func() time.Time
}

// Restore replaces the store file at path with the backup read from r. It
// refuses while any process holds the store (ErrLocked), and refuses a
// backup that is not an intact store file (VerifyFile, strict) or fails
// the check, leaving nothing behind. The previous file is kept beside the
// store as path.before-restore-<UTC time>, never overwriting an earlier
// kept copy; Restore returns its name ("" when there was no store).
func Restore(path string, r io.Reader, opt RestoreOptions) (kept string, err error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Check == nil {
		opt.Check = checkFile
	}
	// Hold the store's lock from before reading the backup until the new
	// file is in place, so that no server starts on the old one meanwhile.
	old, err := os.OpenFile(path, os.O_RDWR, 0)
	switch {
	case errors.Is(err, os.ErrNotExist):
		old = nil
	case err != nil:
		return "", err
	default:
		defer old.Close()
		if err := lockFile(old, true, lockTimeout); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		defer unlockFile(old)
	}

	tmp := path + ".restoring"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Left by a restore that was killed; we hold the store's lock,
		// so no restore is running.
		os.Remove(tmp)
		f, err = os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	}
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // a no-op once it is renamed
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("copy the backup: %w", err)
	}
	if err := verifyFile(tmp, true); err != nil {
		// Named by the operator's file (the caller's), not by our temporary copy.
		return "", fmt.Errorf("the backup is refused: it is not an intact store file: %w", err)
	}
	if err := opt.Check(tmp); err != nil {
		return "", fmt.Errorf("the backup is refused: %w", err)
	}
	if old != nil {
		kept = keptName(path, opt.Now())
		// A hard link keeps the old file under its new name before the
		// store's name moves to the backup: at no moment is there no store.
		if err := os.Link(path, kept); err != nil {
			return "", fmt.Errorf("keep the previous store: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		if kept != "" {
			os.Remove(kept)
		}
		return "", err
	}
	syncDir(filepath.Dir(path))
	return kept, nil
}

// keptName returns a name for the previous store that no file has yet.
func keptName(path string, now time.Time) string {
	base := path + ".before-restore-" + now.UTC().Format("20060102T150405Z")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// checkFile opens a store file read-only and runs Check on it.
func checkFile(path string) error {
	st, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("it does not open: %w", err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		return fmt.Errorf("it fails the consistency check: %w", err)
	}
	return nil
}

// recoverDamage turns a panic or memory fault that bbolt raises on a
// damaged page into an error. Callers defer it after
// debug.SetPanicOnFault(true).
func recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("the store file is damaged: %v", r)
	}
}

// guardFaults makes memory faults in the mapped file panics for the
// calling goroutine (so recoverDamage can report them) and returns the
// function that restores the previous setting.
func guardFaults() func() {
	prev := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(prev) }
}
