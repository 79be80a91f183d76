package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the store layout this code reads and writes. Open runs the
// migrations from the file's version up to this one.
const SchemaVersion = 4

// Options configure a Store.
type Options struct {
	// Portal is this portal's ID in the network ("HE"); it prefixes local
	// IDs and is the origin of local records.
	Portal string
	// Home is the region key of the state this portal serves
	// ("060000000000" for Hessen, the default): new central descriptions
	// belong to it, and its places rank first where a list mixes states.
	Home string
	// Now returns the time written into records; tests set it.
	Now func() time.Time
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// ReadOnly opens the file without a write lock (backup of a stopped store).
	ReadOnly bool
}

// Store is the catalogue's bbolt store. All methods are safe for concurrent use.
type Store struct {
	db     *bolt.DB
	path   string
	portal string
	home   string
	now    func() time.Time
	log    *slog.Logger

	rev      atomic.Uint64  // last committed revision
	cache    recordCache    // decoded records for read transactions
	refusals refusalLimiter // bounds the audit entries of refused requests

	mu      sync.Mutex
	changed chan struct{} // closed and replaced after every commit

	group commitGroup // concurrent single edits share a commit

	// deferred tunes BuildDeferredIndexes for tests (deferred.go).
	deferred struct {
		batch      int    // entries per transaction (deferredBatch if 0)
		afterBatch func() // called after each committed batch
	}
}

// Open opens or creates the store file at path and runs pending migrations.
// Without Options.Portal it takes the portal the file was created for (a
// new file: "HE"); with one, the file must belong to it.
func Open(path string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Home == "" {
		opt.Home = "060000000000"
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if err := verifyBeforeOpen(path, opt.ReadOnly); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: opt.ReadOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		err = ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, path: path, portal: opt.Portal, home: opt.Home, now: opt.Now, log: opt.Logger, changed: make(chan struct{}), cache: newRecordCache()}
	err = db.View(func(tx *bolt.Tx) error {
		var stored string
		if b := tx.Bucket(bucketMeta); b != nil {
			stored = string(b.Get(metaPortal))
		}
		switch {
		case s.portal == "" && stored != "":
			s.portal = stored
		case s.portal == "":
			s.portal = "HE"
		case stored != "" && stored != s.portal:
			return fmt.Errorf("store belongs to portal %q, not %q", stored, s.portal)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	if !opt.ReadOnly {
		if err := s.migrate(); err != nil {
			db.Close()
			return nil, err
		}
	}
	err = db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketLog); b != nil {
			s.rev.Store(b.Sequence())
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	if !opt.ReadOnly {
		// Without the marker the next Open checks only the file's frame;
		// failing to write it costs nothing but that. It names the process
		// for an operator who finds it.
		if err := os.WriteFile(openMarker(path), fmt.Appendf(nil, "pid %d\n", os.Getpid()), 0o600); err != nil {
			s.log.Warn("store: cannot write the open marker", "err", err)
		}
	}
	return s, nil
}

// Close closes the file, and then removes the open marker: the next Open
// then needs no full walk of the file (see verifyBeforeOpen).
func (s *Store) Close() error {
	readOnly := s.db.IsReadOnly()
	if err := s.db.Close(); err != nil {
		return err
	}
	if !readOnly {
		if err := os.Remove(openMarker(s.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Path returns the file name.
func (s *Store) Path() string { return s.path }

// Portal returns this portal's ID, the origin of local records.
func (s *Store) Portal() string { return s.portal }

// Now returns the store's idea of now (Options.Now).
func (s *Store) Now() time.Time { return s.now() }

// Home returns the region key of the state this portal serves.
func (s *Store) Home() string { return s.home }

// Revision returns the last committed change-log revision.
func (s *Store) Revision() uint64 { return s.rev.Load() }

// Changed returns a channel that is closed after the next commit. Followers
// of the change log (search indexer, federation feed) wait on it and then
// read the log from their checkpoint: notification happens after commit, so
// what they read is durable.
func (s *Store) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *Store) notify() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// migrations[i] brings a store from version i to i+1.
var migrations = []func(tx *bolt.Tx) error{
	// 0 -> 1: create every bucket.
	func(tx *bolt.Tx) error {
		names := [][]byte{bucketMeta, bucketLog, bucketHistory}
		for _, k := range Kinds {
			names = append(names, recordBucket(k))
		}
		names = append(names, indexBuckets...)
		for _, n := range names {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 -> 2: federation state, audit log, editors and tokens.
	func(tx *bolt.Tx) error {
		for _, n := range [][]byte{bucketPeer, bucketAudit, bucketEditors, bucketTokens} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	},
	// 2 -> 3: life situations, the search dictionary, services by situation.
	func(tx *bolt.Tx) error {
		for _, n := range [][]byte{recordBucket(KindLifeSituation), recordBucket(KindConcept), idxServiceSituation} {
			if _, err := tx.CreateBucketIfNotExists(n); err != nil {
				return err
			}
		}
		return nil
	},
	// 3 -> 4: services by name (ListServices).
	func(tx *bolt.Tx) error {
		idx, err := tx.CreateBucketIfNotExists(idxServiceName)
		if err != nil {
			return err
		}
		return tx.Bucket(recordBucket(KindService)).ForEach(func(_, v []byte) error {
			var s Service
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			for _, ik := range s.indexKeys() {
				if string(ik.bucket) == string(idxServiceName) {
					if err := idx.Put(ik.key, nil); err != nil {
						return err
					}
				}
			}
			return nil
		})
	},
}

func (s *Store) migrate() error {
	var created bool
	var from, to uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		created = tx.Bucket(bucketMeta) == nil
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		var v uint64
		if b := meta.Get(metaSchema); b != nil {
			v = readU64(b)
		}
		if v > uint64(len(migrations)) {
			return fmt.Errorf("store schema version %d is newer than this program (%d)", v, len(migrations))
		}
		for from = v; v < uint64(len(migrations)); v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate store to version %d: %w", v+1, err)
			}
		}
		to = v
		if err := meta.Put(metaPortal, []byte(s.portal)); err != nil {
			return err
		}
		return meta.Put(metaSchema, u64(v))
	})
	if err != nil {
		return err
	}
	// Logged once committed. A new store runs every step too, but nothing
	// in it was migrated: it gets one line, not one per step.
	if created {
		s.log.Info("store created", "version", to)
		return nil
	}
	for v := from + 1; v <= to; v++ {
		s.log.Info("store migrated", "version", v)
	}
	return nil
}

// View runs fn in a consistent read transaction. Errors: fn's, TIMEOUT
// when ctx's deadline has passed, or ctx's cancellation.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError(err)
	}
	return contextError(s.db.View(func(bt *bolt.Tx) error {
		return fn(&Tx{bt: bt, s: s})
	}))
}

// ViewShared runs fn in a consistent read transaction whose records come
// from a decode cache and are shared between readers: fn and whatever it
// hands on must treat every record as read-only. The API's query path uses
// it, because decoding a service's JSON costs more than the rest of a
// lookup for a place.
func (s *Store) ViewShared(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError(err)
	}
	return contextError(s.db.View(func(bt *bolt.Tx) error {
		return fn(&Tx{bt: bt, s: s, shared: true})
	}))
}

// Update runs fn in one write transaction: every write inside it, with its
// indexes, history and change-log entries, commits together or not at all.
// Subscribers are notified after the commit. Errors: fn's, TIMEOUT when
// ctx's deadline has passed, ctx's cancellation, INTERNAL.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return contextError(err)
	}
	return s.update(func(bt *bolt.Tx) error { return fn(s.writeTx(bt)) })
}

// writeTx is the Tx of one edit in the write transaction bt.
func (s *Store) writeTx(bt *bolt.Tx) *Tx {
	return &Tx{bt: bt, s: s, writable: true, now: s.now().UTC()}
}

// update runs body in one bbolt write transaction, and after its commit
// notes the change-log revision and wakes the subscribers (Update, and
// commitGroup for the edits sharing a transaction). Errors: body's own
// and cancellations as they are, a passed deadline as TIMEOUT, anything
// from bbolt as a storage fault.
func (s *Store) update(body func(*bolt.Tx) error) error {
	var last uint64
	err := s.db.Update(func(bt *bolt.Tx) error {
		if err := body(bt); err != nil {
			return err
		}
		last = bt.Bucket(bucketLog).Sequence()
		return nil
	})
	if err != nil {
		var ce *Error
		var ces Errors
		switch {
		case errors.As(err, &ce) || errors.As(err, &ces) || errors.Is(err, context.Canceled):
			return err
		case errors.Is(err, context.DeadlineExceeded):
			return contextError(err)
		}
		return storageFault(err)
	}
	if last > s.rev.Load() {
		s.rev.Store(last)
		s.notify()
	}
	return nil
}

// Backup writes a consistent copy of the store to w while it stays online.
func (s *Store) Backup(w io.Writer) (n int64, err error) {
	defer guardFaults()()
	defer recoverDamage(&err)
	err = s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
