package catalog

import (
	"context"
	"errors"
	"fmt"
)

// Error codes. They are stable: clients match on them, the GraphQL layer puts
// them in extensions.code and the federation API maps them to HTTP statuses.
const (
	EINVALID         = "INVALID"
	ENOTFOUND        = "NOT_FOUND"
	ECONFLICT        = "CONFLICT"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EFORBIDDEN       = "FORBIDDEN"
	ERATELIMITED     = "RATE_LIMITED"
	ETIMEOUT         = "TIMEOUT" // the request's deadline passed: not a fault, try again or ask for less
	EINTERNAL        = "INTERNAL"
)

// Error is the one error type the catalogue returns to its callers. Message is
// safe to show to a user; internal causes stay in Err and are only logged.
type Error struct {
	Code    string
	Message string
	// Field is the input path that broke a rule, for INVALID ("addresses[0].postalCode").
	Field string
	// Rule names the broken rule for INVALID ("format", "required", "whitelist", ...).
	Rule string
	// Current is the record's current revision, for CONFLICT.
	Current uint64
	// Err is an underlying cause; it is never shown to clients.
	Err error
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.Message
	if e.Field != "" {
		s = e.Code + ": " + e.Field + ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCompacted) true for every compaction error,
// whatever its message.
func (e *Error) Is(target error) bool {
	return target == error(ErrCompacted) && e.Code == ErrCompacted.Code && e.Rule == ErrCompacted.Rule
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an INVALID error for one field and rule.
func Invalid(field, rule, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure; its text is never shown to clients.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "internal error", Err: err}
}

// contextError returns err with the code a caller can act on when it is a
// context's error: TIMEOUT for a passed deadline; a cancellation (the
// client went away) stays as it is. Other errors are returned unchanged.
func contextError(err error) error {
	var ce *Error
	if errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &ce) {
		return Timeout(err)
	}
	return err
}

// Timeout returns a TIMEOUT error for a deadline that passed (err, usually
// context.DeadlineExceeded, stays in Err).
func Timeout(err error) *Error {
	return &Error{Code: ETIMEOUT, Message: "the request took too long", Err: err}
}

// ErrorCode returns the code of err: the Code of an *Error in its chain, or
// INTERNAL for anything else (and "" for nil).
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Errors collects several INVALID errors so that a caller learns about every
// broken field at once, not one per round trip.
type Errors []*Error

func (es Errors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", es[0].Error(), len(es)-1)
}

// Err returns nil when there is nothing, the single error, or the list.
func (es Errors) Err() error {
	switch len(es) {
	case 0:
		return nil
	default:
		return es
	}
}

// As lets errors.As find the first *Error in the list.
func (es Errors) As(target any) bool {
	if t, ok := target.(**Error); ok && len(es) > 0 {
		*t = es[0]
		return true
	}
	return false
}
