package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AccessRole is what a caller may do.
type AccessRole string

const (
	// AccessAnonymous reads published data only.
	AccessAnonymous AccessRole = "ANONYMOUS"
	// AccessStateEditor is the state editorial office (Landesredaktion):
	// writes and publishes central descriptions, reviews local additions,
	// reads the audit log.
	AccessStateEditor AccessRole = "STATE_EDITOR"
	// AccessMunicipalEditor (kommunale Redaktion) maintains offices,
	// online services, responsibilities and local additions inside its
	// scopes.
	AccessMunicipalEditor AccessRole = "MUNICIPAL_EDITOR"
	// AccessAdmin manages editors and tokens.
	AccessAdmin AccessRole = "ADMIN"
	// AccessPeer is another portal reading our federation feed.
	AccessPeer AccessRole = "PEER"
)

// Editor is a holder of a bearer token. The token itself is never stored:
// only its SHA-256, so a copy of the store does not give away access.
type Editor struct {
	ID   string     `json:"id"`
	Name string     `json:"name"`
	Role AccessRole `json:"role"`
	// Scopes are region keys (a municipality) or their significant prefix
	// as a key (a district "066360000000" covers its municipalities).
	Scopes    []string   `json:"scopes,omitempty"`
	CreatedAt time.Time  `json:"created"`
	CreatedBy string     `json:"createdBy,omitempty"`
	ExpiresAt *time.Time `json:"expires,omitempty"`
	RevokedAt *time.Time `json:"revoked,omitempty"`
	TokenHash string     `json:"tokenHash"`
}

// Active reports whether the editor's token may be used at t.
func (e *Editor) Active(t time.Time) bool {
	return e.RevokedAt == nil && (e.ExpiresAt == nil || t.Before(*e.ExpiresAt))
}

// Principal is who makes a request: an editor, or nobody (anonymous).
type Principal struct {
	Editor  *Editor
	Role    AccessRole
	Address string // remote address, for the audit log
}

// Anonymous returns the principal of a request without a token.
func Anonymous(addr string) *Principal { return &Principal{Role: AccessAnonymous, Address: addr} }

// Name is the principal for logs and history: the editor's ID and name.
func (p *Principal) Name() string {
	if p == nil {
		return "system"
	}
	if p.Editor == nil {
		return "anonymous"
	}
	return p.Editor.ID + " (" + p.Editor.Name + ")"
}

// InScope reports whether a region key lies in one of the principal's scopes.
func (p *Principal) InScope(ars string) bool {
	if p == nil || p.Editor == nil {
		return false
	}
	for _, s := range p.Editor.Scopes {
		if Contains(s, ars) {
			return true
		}
	}
	return false
}

// TokenPrefix starts every token, so that a leaked one is easy to find in
// logs and code.
const TokenPrefix = "lf_"

// tokenHint names an unknown token in the audit log without giving it
// away: its first characters and the start of its hash.
func tokenHint(token string) string {
	prefix := token
	if len(prefix) > 6 {
		prefix = prefix[:6]
	}
	return prefix + "… (sha256 " + hashToken(token)[:12] + ")"
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateEditor creates an editor with a new random token and returns the
// token, which is shown this once. Only an admin (or the operator's command
// line, by == nil) may do it.
//
// A refused attempt is recorded in the audit log.
//
// Errors: INVALID, UNAUTHENTICATED, FORBIDDEN.
func (s *Store) CreateEditor(ctx context.Context, by *Principal, e Editor) (string, *Editor, error) {
	token, created, err := s.createEditor(by, e)
	if err != nil && ErrorCode(err) != EINTERNAL {
		s.RecordRefusal(by, refusal("createEditor", "editor", "", err))
	}
	return token, created, err
}

// mayManageEditors is the rule for createEditor and revokeEditor: admins
// and the operator's command line (by == nil).
func mayManageEditors(by *Principal) error {
	switch {
	case by == nil || by.Role == AccessAdmin:
		return nil
	case by.Role == AccessAnonymous:
		return Errorf(EUNAUTHENTICATED, "managing editors needs an admin token")
	}
	return Errorf(EFORBIDDEN, "only an admin manages editors")
}

func (s *Store) createEditor(by *Principal, e Editor) (string, *Editor, error) {
	if err := mayManageEditors(by); err != nil {
		return "", nil, err
	}
	v := &validator{}
	if strings.TrimSpace(e.Name) == "" {
		v.add("name", "required", "the editor needs a name")
	}
	v.maxLen("name", e.Name, 200)
	v.plainText("name", e.Name)
	v.oneOf("role", string(e.Role), AccessStateEditor, AccessMunicipalEditor, AccessAdmin, AccessPeer)
	if e.Role == AccessMunicipalEditor && len(e.Scopes) == 0 {
		v.add("scopes", "required", "a municipal editor needs at least one region key")
	}
	if e.ExpiresAt != nil && !e.ExpiresAt.After(s.now()) {
		v.add("expiresAt", "range", "the expiry lies in the past")
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, Internal(err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	e.TokenHash = hashToken(token)
	e.CreatedAt = s.now().UTC()
	e.CreatedBy = by.Name()
	e.RevokedAt = nil
	err := s.db.Update(func(bt *bolt.Tx) error {
		tx := &Tx{bt: bt, s: s}
		for i, sc := range e.Scopes {
			f := fmt.Sprintf("scopes[%d]", i)
			if !ValidARS(sc) {
				v.add(f, "format", "%q is not a 12-digit region key (ARS)", sc)
			} else if tx.raw(KindRegion, sc) == nil {
				v.add(f, "exists", "region %q does not exist", sc)
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		b := bt.Bucket(bucketEditors)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.ID = fmt.Sprintf("ED.%06d", seq)
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(e.ID), data); err != nil {
			return err
		}
		if err := bt.Bucket(bucketTokens).Put([]byte(e.TokenHash), []byte(e.ID)); err != nil {
			return err
		}
		return appendAudit(bt, s.now(), by, AuditEntry{Op: "createEditor", Kind: "editor", ID: e.ID, Outcome: "OK"})
	})
	if err != nil {
		return "", nil, wrapStoreErr(err)
	}
	return token, &e, nil
}

// Editors returns every editor, revoked ones included, in creation order.
func (s *Store) Editors(ctx context.Context) ([]*Editor, error) {
	var out []*Editor
	err := s.db.View(func(bt *bolt.Tx) error {
		return bt.Bucket(bucketEditors).ForEach(func(_, v []byte) error {
			var e Editor
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, &e)
			return nil
		})
	})
	return out, wrapStoreErr(err)
}

// RevokeEditor revokes an editor's token at once. A refused attempt is
// recorded in the audit log.
//
// Errors: NOT_FOUND, UNAUTHENTICATED, FORBIDDEN.
func (s *Store) RevokeEditor(ctx context.Context, by *Principal, id string) (*Editor, error) {
	e, err := s.revokeEditor(by, id)
	if err != nil && ErrorCode(err) != EINTERNAL {
		s.RecordRefusal(by, refusal("revokeEditor", "editor", id, err))
	}
	return e, err
}

func (s *Store) revokeEditor(by *Principal, id string) (*Editor, error) {
	if err := mayManageEditors(by); err != nil {
		return nil, err
	}
	var e Editor
	err := s.db.Update(func(bt *bolt.Tx) error {
		b := bt.Bucket(bucketEditors)
		v := b.Get([]byte(id))
		if v == nil {
			return Errorf(ENOTFOUND, "editor %q not found", id)
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		if e.RevokedAt == nil {
			now := s.now().UTC()
			e.RevokedAt = &now
		}
		data, _ := json.Marshal(e)
		if err := b.Put([]byte(id), data); err != nil {
			return err
		}
		return appendAudit(bt, s.now(), by, AuditEntry{Op: "revokeEditor", Kind: "editor", ID: id, Outcome: "OK"})
	})
	if err != nil {
		return nil, wrapStoreErr(err)
	}
	return &e, nil
}

// Authenticate returns the principal of a bearer token: anonymous for an
// empty token, the editor for a valid one.
//
// Errors: UNAUTHENTICATED for an unknown, revoked or expired token; the
// attempt is recorded in the audit log.
func (s *Store) Authenticate(ctx context.Context, token, addr string) (*Principal, error) {
	if token == "" {
		return Anonymous(addr), nil
	}
	var e *Editor
	err := s.db.View(func(bt *bolt.Tx) error {
		id := bt.Bucket(bucketTokens).Get([]byte(hashToken(token)))
		if id == nil {
			return nil
		}
		e = &Editor{}
		return json.Unmarshal(bt.Bucket(bucketEditors).Get(id), e)
	})
	if err != nil {
		return nil, Internal(err)
	}
	if e == nil || !e.Active(s.now()) {
		err := Errorf(EUNAUTHENTICATED, "the token is unknown, revoked or expired")
		entry := refusal("authenticate", "", "", err)
		who := Anonymous(addr)
		switch {
		case e == nil:
			entry.Message = "unknown token " + tokenHint(token)
		case e.RevokedAt != nil:
			who = &Principal{Editor: e, Role: e.Role, Address: addr}
			entry.Message = "revoked token"
		default:
			who = &Principal{Editor: e, Role: e.Role, Address: addr}
			entry.Message = "expired token"
		}
		s.RecordRefusal(who, entry)
		return nil, err
	}
	return &Principal{Editor: e, Role: e.Role, Address: addr}, nil
}

// AuditEntry is one line of the append-only audit log: every write and
// every refused write, with who, what, when and from where.
type AuditEntry struct {
	Seq      uint64     `json:"seq"`
	Time     time.Time  `json:"time"`
	Actor    string     `json:"actor"`
	Role     AccessRole `json:"role"`
	Address  string     `json:"addr,omitempty"`
	Op       string     `json:"op"`
	Kind     string     `json:"kind,omitempty"`
	ID       string     `json:"id,omitempty"`
	Outcome  string     `json:"outcome"` // OK or an error code
	Revision uint64     `json:"rev,omitempty"`
	Message  string     `json:"msg,omitempty"`
	// Suppressed counts refusals of the same caller left out before this
	// one (Store.RecordRefusal rate-limits them).
	Suppressed int `json:"suppressed,omitempty"`
}

func appendAudit(bt *bolt.Tx, now time.Time, p *Principal, e AuditEntry) error {
	b := bt.Bucket(bucketAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	e.Time = now.UTC()
	e.Actor = p.Name()
	if p != nil {
		e.Role = p.Role
		e.Address = p.Address
	}
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put(u64(seq), data)
}

// Audit returns audit entries after seq, oldest first, up to limit.
func (s *Store) Audit(ctx context.Context, after uint64, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(bt *bolt.Tx) error {
		c := bt.Bucket(bucketAudit).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, wrapStoreErr(err)
}

// wrapStoreErr passes catalogue errors through and hides everything else.
func wrapStoreErr(err error) error {
	if err == nil {
		return nil
	}
	if code := ErrorCode(err); code != EINTERNAL {
		return err
	}
	return Internal(err)
}
