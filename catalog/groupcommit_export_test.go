package catalog

import "runtime"

// HoldCommits takes the group-commit lock of s, as a commit in progress
// does, so that a test can queue edits behind it. waitQueued returns once
// n edits wait; release lets them commit. GroupCommits counts the
// transactions groups committed.
func HoldCommits(s *Store) (waitQueued func(n int), release func()) {
	s.group.commit.Lock()
	waitQueued = func(n int) {
		for {
			s.group.mu.Lock()
			queued := len(s.group.pending)
			s.group.mu.Unlock()
			if queued >= n {
				return
			}
			runtime.Gosched()
		}
	}
	return waitQueued, s.group.commit.Unlock
}

// GroupCommits returns how many transactions groups of edits committed.
func GroupCommits(s *Store) int {
	s.group.commit.Lock()
	defer s.group.commit.Unlock()
	return s.group.commits
}
