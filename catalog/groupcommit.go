package catalog

import (
	"context"
	"errors"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// commitGroup lets concurrent single edits (Store.Mutate, and so Apply)
// share one write transaction, so that they share its commit: the
// freelist bbolt writes and the two fdatasyncs of every commit. A commit
// costs about the same for one edit as for forty, and what it costs grows
// with the file's free pages: after the change log of L was compacted, a
// commit alone took about 30 ms, and eight editors writing at once got no
// further than 33 commits/s, each waiting for its own.
//
// There is no timer and no added latency: an edit that finds no commit
// running commits alone, at once; edits that arrive while one runs queue,
// and the next of them to get the commit lock takes the whole queue into
// one transaction (group commit, as in databases' write-ahead logs).
//
// Each edit keeps its own outcome. Edits are applied one after another in
// the transaction, each in a Tx of its own, in queue order: each sees the
// ones before it, exactly as if they had committed one by one in that
// order, so expected revisions, the change-log order and the audit entries
// are what single commits give. When one edit fails (or panics), the
// transaction is rolled back, the others are run again as a group without
// it, and the failed edit runs alone in its caller's goroutine, where its
// error or panic belongs: a failing edit never fails the others (bbolt's
// DB.Batch does the same, but waits up to 10 ms for company).
type commitGroup struct {
	commit  sync.Mutex // held while a group commits
	mu      sync.Mutex // guards pending
	pending []*groupedEdit
	// commits counts the write transactions groups committed (tests).
	commits int
}

// groupedEdit is one caller's edit waiting in a commitGroup.
type groupedEdit struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error // buffered; errRunAlone: run fn in a transaction of its own
}

// maxGroup bounds the edits in one transaction: what a transaction holds
// until it commits stays small, and a retry after a failure stays cheap.
const maxGroup = 64

// errRunAlone tells an edit's caller that its edit failed in the group
// and must run in a transaction of its own.
var errRunAlone = errors.New("catalog: run the edit alone")

// updateGrouped is Update for single edits that may share a transaction
// with concurrent ones (see commitGroup). fn may run more than once: it
// must not change anything outside the transaction, and whatever it
// records for its caller must be set anew on every run (the last run's
// transaction is the one that committed).
func (s *Store) updateGrouped(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError(err)
	}
	g := &s.group
	e := &groupedEdit{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, e)
	g.mu.Unlock()

	for {
		if done, err := s.leadGroup(ctx, e); done {
			return err
		}
	}
}

// leadGroup takes the commit lock for edit e, and commits the queue if
// an earlier group has not taken e along; done when e has its outcome.
func (s *Store) leadGroup(ctx context.Context, e *groupedEdit) (done bool, err error) {
	g := &s.group
	g.commit.Lock()
	unlocked := false
	unlock := func() {
		if !unlocked {
			unlocked = true
			g.commit.Unlock()
		}
	}
	defer unlock() // also when an edit or bbolt panics
	select {
	case err := <-e.done: // an earlier group took this edit along
		unlock()
		return true, s.groupOutcome(ctx, e, err)
	default:
	}
	// Take the queue (this edit is in it unless maxGroup others were
	// queued before it: then it goes with the next group).
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	group := g.pending[:n:n]
	g.pending = append([]*groupedEdit(nil), g.pending[n:]...)
	g.mu.Unlock()
	if len(group) == 1 && group[0] == e {
		// Alone: commit it while holding the lock, so that the edits
		// arriving meanwhile queue up for the next group.
		return true, s.Update(ctx, e.fn)
	}
	s.commitGroup(group)
	select {
	case err := <-e.done:
		unlock()
		return true, s.groupOutcome(ctx, e, err)
	default:
		return false, nil
	}
}

// groupOutcome is what an edit's caller returns: the group's outcome, or
// the edit's own when it has to run alone.
func (s *Store) groupOutcome(ctx context.Context, e *groupedEdit, err error) error {
	if errors.Is(err, errRunAlone) {
		return s.Update(ctx, e.fn)
	}
	return err
}

// commitGroup commits the edits of group in one transaction, sending each
// its outcome; an edit that fails is sent errRunAlone and the others are
// tried again without it.
func (s *Store) commitGroup(group []*groupedEdit) {
	for len(group) > 0 {
		// A caller that gave up while its edit waited gets its context's
		// error (Update checks it first), not a commit.
		group = slices.DeleteFunc(group, func(e *groupedEdit) bool {
			if e.ctx.Err() != nil {
				e.done <- errRunAlone
				return true
			}
			return false
		})
		if len(group) == 0 {
			return
		}
		if len(group) == 1 {
			group[0].done <- errRunAlone // no company: the plain path
			return
		}
		failed := -1
		err := s.update(func(bt *bolt.Tx) error {
			for i, e := range group {
				if !runEdit(s.writeTx(bt), e.fn) {
					failed = i
					return errRunAlone
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].done <- errRunAlone
			group = append(group[:failed:failed], group[failed+1:]...)
			continue
		}
		s.group.commits++
		for _, e := range group {
			e.done <- err
		}
		return
	}
}

// runEdit runs one edit of a group; false if it returned an error or
// panicked (its caller sees either when it runs the edit alone).
func runEdit(tx *Tx, fn func(*Tx) error) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	return fn(tx) == nil
}
