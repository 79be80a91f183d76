package catalog

import (
	"errors"
	"syscall"

	bolterrors "go.etcd.io/bbolt/errors"
)

// Rules of the INTERNAL errors whose cause a client may learn: the change
// was not saved because of the server's disk, and retrying later helps.
const (
	RuleDiskFull = "disk-full"
	RuleReadOnly = "read-only"
)

// storageFault turns a failed commit into an error: a full disk or a
// read-only data directory says so (the transaction was rolled back, the
// store is intact and reads keep working); anything else is INTERNAL.
func storageFault(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return &Error{Code: EINTERNAL, Rule: RuleDiskFull, Err: err,
			Message: "the change was not saved: the server's disk is full; nothing changed, reading works, try again later"}
	case errors.Is(err, syscall.EROFS) || errors.Is(err, bolterrors.ErrDatabaseReadOnly):
		return &Error{Code: EINTERNAL, Rule: RuleReadOnly, Err: err,
			Message: "the change was not saved: the server's data directory is read-only; nothing changed, reading works"}
	}
	return Internal(err)
}
