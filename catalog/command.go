package catalog

import (
	"context"
	"encoding/json"
	"fmt"
)

// Command is one catalogue write: a plain, serialisable value that names
// what changes (UpdateOffice{ID, Patch, ExpectedRevision}). Resolvers, the
// command line, imports and the federation puller build commands; Tx.Apply
// applies them, and every write of the store goes through it, so that a
// replicated log can later carry commands instead of closures. The business
// rules of a write (a new service starts as a draft, what an update keeps,
// which checks a responsibility needs) live in the command's apply.
//
// The command types are defined in this package only (apply is
// unexported); DecodeCommand turns a logged command back into one.
type Command interface {
	// CommandName is the command's stable name in the change log and the
	// audit log ("updateOffice").
	CommandName() string
	// target names the record the command writes, for the audit log of a
	// refused write ("" for one not yet created).
	target() (Kind, string)
	apply(tx *Tx, w Write) (*Result, error)
}

// Result is what a command wrote.
type Result struct {
	// Record is the record as written; nil after a delete.
	Record Record
	// Previous is the version the command replaced; nil for a create.
	Previous Record
	// Revision is the change-log revision of the command's last write.
	Revision uint64
}

// LoggedCommand is a command as the change log keeps it, beside the change
// it made: every entry a command writes (a deleted office's cascaded
// responsibilities too) carries the command.
type LoggedCommand struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
	// First is the revision of the command's first change: a replica
	// applies the command at the entry whose revision it is.
	First uint64 `json:"first"`
}

// Apply applies a command in this write transaction on behalf of the
// writer w (its Expected is taken from the command). A command applied
// inside another (the cascade of a delete) is logged as the outer one.
//
// Errors: those of the command; see each command type.
func (tx *Tx) Apply(c Command, w Write) (*Result, error) {
	if !tx.writable {
		return nil, Internal(fmt.Errorf("%s in a read transaction", c.CommandName()))
	}
	if tx.cmd == nil {
		lc, err := logCommand(c)
		if err != nil {
			return nil, err
		}
		tx.cmd = lc
		defer func() { tx.cmd = nil }()
	}
	res, err := c.apply(tx, w)
	if err != nil {
		return nil, err
	}
	res.Revision = tx.Revision()
	return res, nil
}

// Apply applies one command in an audited write transaction on behalf of
// p (see Mutate): the store's one write path for a single edit. Edits
// arriving while another commits share the next commit (commitGroup).
//
// Errors: those of the command, UNAUTHENTICATED, FORBIDDEN.
func (s *Store) Apply(ctx context.Context, p *Principal, c Command, reason string) (*Result, error) {
	var res *Result
	kind, id := c.target()
	err := s.Mutate(ctx, p, Mutation{Op: c.CommandName(), Kind: kind, ID: id}, func(tx *Tx) (err error) {
		res, err = tx.Apply(c, Write{Reason: reason})
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func logCommand(c Command) (*LoggedCommand, error) {
	var args []byte
	var err error
	if pr, ok := c.(PutRecord); ok {
		// The record a PutRecord writes is the history version of its
		// change: the log names it instead of holding a second copy
		// (Tx.Command reads it back).
		args, err = json.Marshal(putRecordJSON{Kind: pr.recordKind(), Expected: pr.Expected})
	} else {
		args, err = json.Marshal(c)
	}
	if err != nil {
		return nil, Internal(fmt.Errorf("encode command %s: %w", c.CommandName(), err))
	}
	return &LoggedCommand{Name: c.CommandName(), Args: args}, nil
}

// commandTypes makes an empty command of each name, for DecodeCommand.
var commandTypes = map[string]func() Command{}

func registerCommand[T any, P interface {
	*T
	Command
}]() {
	var zero T
	name := P(&zero).CommandName()
	commandTypes[name] = func() Command { return P(new(T)) }
}

// Command returns the command that made a change, ready to be applied
// again (a replica replaying the log); see DecodeCommand. A PutRecord's
// record is read from history.
//
// Errors: NOT_FOUND when the change carries no command or compaction has
// removed the record's version; INVALID as DecodeCommand.
func (tx *Tx) Command(ch Change) (Command, error) {
	if ch.Command == nil {
		return nil, Errorf(ENOTFOUND, "change %d carries no command", ch.Revision)
	}
	c, err := DecodeCommand(*ch.Command)
	if err != nil {
		return nil, err
	}
	if pr, ok := c.(*PutRecord); ok && pr.Record == nil {
		if pr.Record, err = tx.VersionAt(ch.Kind, ch.ID, ch.Revision); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// DecodeCommand returns the command a change-log entry carries. A logged
// PutRecord names its record instead of holding it: Tx.Command fills it in.
//
// Errors: INVALID for an unknown name or undecodable arguments.
func DecodeCommand(lc LoggedCommand) (Command, error) {
	mk, ok := commandTypes[lc.Name]
	if !ok {
		return nil, Invalid("name", "enum", "unknown command %q", lc.Name)
	}
	c := mk()
	if err := json.Unmarshal(lc.Args, c); err != nil {
		return nil, Invalid("args", "format", "command %s: %v", lc.Name, err)
	}
	return c, nil
}
