package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// The catalogue's commands. Each is a plain value with JSON names as in the
// API; Tx.Apply or Store.Apply applies it. Updates take patches (see
// patch.go): what a patch leaves out stays as it is.

func init() {
	registerCommand[PutRecord]()
	registerCommand[DeleteRecord]()
	registerCommand[CreateOffice]()
	registerCommand[UpdateOffice]()
	registerCommand[DeleteOffice]()
	registerCommand[CreateOnlineService]()
	registerCommand[UpdateOnlineService]()
	registerCommand[DeleteOnlineService]()
	registerCommand[SetResponsibility]()
	registerCommand[RemoveResponsibility]()
	registerCommand[CreateService]()
	registerCommand[UpdateService]()
	registerCommand[PublishService]()
	registerCommand[ArchiveService]()
	registerCommand[ProposeSpecialisation]()
	registerCommand[SubmitChangeRequest]()
	registerCommand[ReviewChangeRequest]()
	registerCommand[RestoreVersion]()
	registerCommand[SetTranslation]()
	registerCommand[ConfirmTranslation]()
}

// PutRecord creates or replaces a whole record: what loaders, imports and
// the federation puller (with Write.Mirror) need. Expected, when set, is
// the revision the writer read (0: the record must not exist yet).
//
// Errors: INVALID (with Field and Rule), CONFLICT (with Current),
// NOT_FOUND, FORBIDDEN (record of another origin or outside the scope).
type PutRecord struct {
	Record   Record
	Expected *uint64
	// kind is the logged kind of a PutRecord decoded without its record
	// (logged by reference; Tx.Command fills Record in).
	kind Kind
}

func (c PutRecord) recordKind() Kind {
	if c.Record == nil {
		return c.kind
	}
	return c.Record.RecordKind()
}

func (PutRecord) CommandName() string { return "putRecord" }

func (c PutRecord) target() (Kind, string) {
	if c.Record == nil {
		return c.kind, ""
	}
	return c.Record.RecordKind(), c.Record.meta().ID
}

func (c PutRecord) apply(tx *Tx, w Write) (*Result, error) {
	if c.Record == nil {
		return nil, Invalid("record", "required", "putRecord needs the record to write")
	}
	return save(tx, w, c.Record, c.Expected)
}

type putRecordJSON struct {
	Kind     Kind            `json:"kind"`
	Record   json.RawMessage `json:"record,omitempty"`
	Expected *uint64         `json:"expectedRevision,omitempty"`
}

func (c PutRecord) MarshalJSON() ([]byte, error) {
	j := putRecordJSON{Kind: c.recordKind(), Expected: c.Expected}
	if c.Record != nil {
		rec, err := json.Marshal(c.Record)
		if err != nil {
			return nil, err
		}
		j.Record = rec
	}
	return json.Marshal(j)
}

func (c *PutRecord) UnmarshalJSON(b []byte) error {
	var j putRecordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	r, err := NewRecord(j.Kind)
	if err != nil {
		return err
	}
	c.Expected, c.kind = j.Expected, j.Kind
	if len(j.Record) == 0 || string(j.Record) == "null" {
		return nil // logged by reference; see Tx.Command
	}
	if err := json.Unmarshal(j.Record, r); err != nil {
		return err
	}
	c.Record = r
	return nil
}

// DeleteRecord removes a record of any kind (see DeleteOffice for what a
// delete takes with it).
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN.
type DeleteRecord struct {
	Kind     Kind    `json:"kind"`
	ID       string  `json:"id"`
	Expected *uint64 `json:"expectedRevision,omitempty"`
}

func (DeleteRecord) CommandName() string { return "deleteRecord" }

func (c DeleteRecord) target() (Kind, string) { return c.Kind, c.ID }

func (c DeleteRecord) apply(tx *Tx, w Write) (*Result, error) {
	w.Expected = c.Expected
	old, err := tx.del(c.Kind, c.ID, w)
	if err != nil {
		return nil, err
	}
	return &Result{Previous: old}, nil
}

// deleteCmd is the shape of the kind-specific deletes.
func deleteCmd(tx *Tx, w Write, k Kind, id string, expected uint64) (*Result, error) {
	return DeleteRecord{Kind: k, ID: id, Expected: &expected}.apply(tx, w)
}

// CreateOffice creates an office with a new ID.
//
// Errors: INVALID, FORBIDDEN, UNAUTHENTICATED.
type CreateOffice struct {
	Office Office `json:"office"`
}

func (CreateOffice) CommandName() string { return "createOffice" }

func (c CreateOffice) target() (Kind, string) { return KindOffice, "" }

func (c CreateOffice) apply(tx *Tx, w Write) (*Result, error) {
	o := c.Office
	o.Meta = Meta{}
	return create(tx, w, &o)
}

// create writes a new record.
func create(tx *Tx, w Write, r Record) (*Result, error) { return save(tx, w, r, Expect(0)) }

// save writes r as a command made it, checking the expected revision
// (see Write.Expected), and returns it with the version it replaced.
func save(tx *Tx, w Write, r Record, expected *uint64) (*Result, error) {
	w.Expected = expected
	old, err := tx.put(r, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: r, Previous: old}, nil
}

// UpdateOffice changes the fields of an office that the patch names. With
// ValidFrom after today the change is entered ahead: the office keeps its
// data until then, and the patch applies to the office as it will be on
// that day. Otherwise it applies now, to the office as it is now, and
// changes entered ahead for later days stay.
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type UpdateOffice struct {
	ID               string      `json:"id"`
	Patch            OfficePatch `json:"patch"`
	ExpectedRevision uint64      `json:"expectedRevision"`
	ValidFrom        *time.Time  `json:"validFrom,omitempty"`
}

func (UpdateOffice) CommandName() string { return "updateOffice" }

func (c UpdateOffice) target() (Kind, string) { return KindOffice, c.ID }

func (c UpdateOffice) apply(tx *Tx, w Write) (*Result, error) {
	cur, err := tx.Office(c.ID)
	if err != nil {
		return nil, err
	}
	// The expected revision is checked by save, after the authorization:
	// an editor who may not write the office learns nothing of its
	// revision.
	now := tx.now
	ahead := c.ValidFrom != nil && c.ValidFrom.After(now)
	when := now
	if ahead {
		when = *c.ValidFrom
	}
	base := cur.At(when)
	if base == nil {
		base = cur
	}
	next := *base
	c.Patch.applyTo(&next)
	if c.Patch.RegionKey.IsSet() && next.RegionKey != cur.RegionKey {
		// Moving an office moves its changes entered ahead with it.
		for _, u := range cur.Upcoming {
			u.RegionKey = next.RegionKey
		}
	}
	return save(tx, w, cur.enter(&next, c.ValidFrom, now), &c.ExpectedRevision)
}

// enter returns what to store when an editor replaces o's data with next:
// with validFrom after now, next is entered ahead (o keeps its data, next
// joins Upcoming in date order, replacing one of the same date); otherwise
// next replaces o now, and the changes entered ahead that have not yet
// taken effect stay.
func (o *Office) enter(next *Office, validFrom *time.Time, now time.Time) *Office {
	next.ID, next.Origin = o.ID, o.Origin
	if validFrom != nil && validFrom.After(now) {
		out := *o
		next.Upcoming, next.Meta = nil, Meta{}
		next.Validity.From = validFrom
		var ups []*Office
		for _, u := range o.Upcoming {
			if !u.Validity.From.Equal(*validFrom) {
				ups = append(ups, u)
			}
		}
		ups = append(ups, next)
		sort.Slice(ups, func(i, j int) bool { return ups[i].Validity.From.Before(*ups[j].Validity.From) })
		out.Upcoming = ups
		return &out
	}
	next.Meta = o.Meta
	next.Upcoming = nil
	for _, u := range o.Upcoming {
		if u.Validity.From != nil && u.Validity.From.After(now) {
			next.Upcoming = append(next.Upcoming, u)
		}
	}
	return next
}

// DeleteOffice deletes an office and, in the same transaction, its
// responsibilities.
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type DeleteOffice struct {
	ID               string `json:"id"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (DeleteOffice) CommandName() string { return "deleteOffice" }

func (c DeleteOffice) target() (Kind, string) { return KindOffice, c.ID }

func (c DeleteOffice) apply(tx *Tx, w Write) (*Result, error) {
	return deleteCmd(tx, w, KindOffice, c.ID, c.ExpectedRevision)
}

// CreateOnlineService creates an online service with a new ID.
//
// Errors: INVALID, FORBIDDEN, UNAUTHENTICATED.
type CreateOnlineService struct {
	OnlineService OnlineService `json:"onlineService"`
}

func (CreateOnlineService) CommandName() string { return "createOnlineService" }

func (c CreateOnlineService) target() (Kind, string) { return KindOnlineService, "" }

func (c CreateOnlineService) apply(tx *Tx, w Write) (*Result, error) {
	o := c.OnlineService
	o.Meta = Meta{}
	return create(tx, w, &o)
}

// UpdateOnlineService changes the fields of an online service that the
// patch names.
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type UpdateOnlineService struct {
	ID               string             `json:"id"`
	Patch            OnlineServicePatch `json:"patch"`
	ExpectedRevision uint64             `json:"expectedRevision"`
}

func (UpdateOnlineService) CommandName() string { return "updateOnlineService" }

func (c UpdateOnlineService) target() (Kind, string) { return KindOnlineService, c.ID }

func (c UpdateOnlineService) apply(tx *Tx, w Write) (*Result, error) {
	o, err := tx.OnlineService(c.ID)
	if err != nil {
		return nil, err
	}
	c.Patch.applyTo(o)
	return save(tx, w, o, &c.ExpectedRevision)
}

// DeleteOnlineService deletes an online service and its responsibilities.
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type DeleteOnlineService struct {
	ID               string `json:"id"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (DeleteOnlineService) CommandName() string { return "deleteOnlineService" }

func (c DeleteOnlineService) target() (Kind, string) { return KindOnlineService, c.ID }

func (c DeleteOnlineService) apply(tx *Tx, w Write) (*Result, error) {
	return deleteCmd(tx, w, KindOnlineService, c.ID, c.ExpectedRevision)
}

// SetResponsibility makes an office or an online service responsible for
// the service with a LeiKa key at a place and below it. The key must
// belong to a service of the catalogue; the role defaults to RESPONSIBLE.
//
// Errors: INVALID (leikaKey without a service, and the record's rules),
// FORBIDDEN, UNAUTHENTICATED.
type SetResponsibility struct {
	LeikaKey        string     `json:"leikaKey"`
	RegionKey       string     `json:"ars"`
	OfficeID        string     `json:"officeId,omitempty"`
	OnlineServiceID string     `json:"onlineServiceId,omitempty"`
	Role            Role       `json:"role,omitempty"`
	ValidFrom       *time.Time `json:"validFrom,omitempty"`
	ValidTo         *time.Time `json:"validTo,omitempty"`
}

func (SetResponsibility) CommandName() string { return "setResponsibility" }

func (c SetResponsibility) target() (Kind, string) { return KindResponsibility, "" }

func (c SetResponsibility) apply(tx *Tx, w Write) (*Result, error) {
	r := &Responsibility{LeikaKey: c.LeikaKey, RegionKey: c.RegionKey, OfficeID: c.OfficeID,
		OnlineServiceID: c.OnlineServiceID, Role: c.Role, Validity: Validity{From: c.ValidFrom, To: c.ValidTo}}
	if r.Role == "" {
		r.Role = RoleResponsible
	}
	// The record's own validation reports a malformed key; only a
	// well-formed one can be looked up.
	if ValidLeika(c.LeikaKey) {
		if err := tx.checkServiceExists(c.LeikaKey); err != nil {
			return nil, err
		}
	}
	return create(tx, w, r)
}

// RemoveResponsibility deletes a responsibility.
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type RemoveResponsibility struct {
	ID               string `json:"id"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (RemoveResponsibility) CommandName() string { return "removeResponsibility" }

func (c RemoveResponsibility) target() (Kind, string) { return KindResponsibility, c.ID }

func (c RemoveResponsibility) apply(tx *Tx, w Write) (*Result, error) {
	return deleteCmd(tx, w, KindResponsibility, c.ID, c.ExpectedRevision)
}

// CreateService creates a central service description. It starts as a
// DRAFT, and belongs to this portal's state unless it names another area
// (ars).
//
// Errors: INVALID, FORBIDDEN, UNAUTHENTICATED.
type CreateService struct {
	Service Service `json:"service"`
}

func (CreateService) CommandName() string { return "createService" }

func (c CreateService) target() (Kind, string) { return KindService, "" }

func (c CreateService) apply(tx *Tx, w Write) (*Result, error) {
	s := c.Service
	s.Meta = Meta{}
	s.Status = StatusDraft
	if s.RegionKey == "" {
		s.RegionKey = tx.s.home
	}
	return create(tx, w, &s)
}

// UpdateService changes the fields of a service description that the
// patch names. Its status changes only through PublishService and
// ArchiveService.
//
// Errors: INVALID, NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type UpdateService struct {
	ID               string       `json:"id"`
	Patch            ServicePatch `json:"patch"`
	ExpectedRevision uint64       `json:"expectedRevision"`
}

func (UpdateService) CommandName() string { return "updateService" }

func (c UpdateService) target() (Kind, string) { return KindService, c.ID }

func (c UpdateService) apply(tx *Tx, w Write) (*Result, error) {
	s, err := tx.Service(c.ID)
	if err != nil {
		return nil, err
	}
	c.Patch.applyTo(s)
	if s.RegionKey == "" {
		// Clearing the area gives the description back to the state.
		s.RegionKey = tx.s.home
	}
	return save(tx, w, s, &c.ExpectedRevision)
}

// PublishService publishes a service description: readers see it.
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type PublishService struct {
	ID               string `json:"id"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (PublishService) CommandName() string { return "publishService" }

func (c PublishService) target() (Kind, string) { return KindService, c.ID }

func (c PublishService) apply(tx *Tx, w Write) (*Result, error) {
	return setServiceStatus(tx, w, c.ID, StatusPublished, c.ExpectedRevision)
}

// ArchiveService archives a service description: readers no longer see it.
//
// Errors: NOT_FOUND, CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type ArchiveService struct {
	ID               string `json:"id"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (ArchiveService) CommandName() string { return "archiveService" }

func (c ArchiveService) target() (Kind, string) { return KindService, c.ID }

func (c ArchiveService) apply(tx *Tx, w Write) (*Result, error) {
	return setServiceStatus(tx, w, c.ID, StatusArchived, c.ExpectedRevision)
}

func setServiceStatus(tx *Tx, w Write, id string, st Status, expected uint64) (*Result, error) {
	s, err := tx.Service(id)
	if err != nil {
		return nil, err
	}
	s.Status = st
	return save(tx, w, s, &expected)
}

// ProposeSpecialisation creates a draft local addition to a text module of
// a service for a region; the proposer's name is recorded. Replaces names
// a published addition of the same service, region and module that this
// one takes the place of when it is approved.
//
// Errors: INVALID, FORBIDDEN, UNAUTHENTICATED.
type ProposeSpecialisation struct {
	LeikaKey  string    `json:"leikaKey"`
	RegionKey string    `json:"ars"`
	Module    Module    `json:"module"`
	Mode      Mode      `json:"mode"`
	Text      i18n.Text `json:"text,omitzero"`
	// Terms, instead of a module's text, are terms in context for the
	// service at the region.
	Terms    []Term `json:"terms,omitempty"`
	Replaces string `json:"replaces,omitempty"`
}

func (ProposeSpecialisation) CommandName() string { return "proposeSpecialisation" }

func (c ProposeSpecialisation) target() (Kind, string) { return KindSpecialisation, "" }

func (c ProposeSpecialisation) apply(tx *Tx, w Write) (*Result, error) {
	s := &Specialisation{LeikaKey: c.LeikaKey, RegionKey: c.RegionKey, Module: c.Module, Mode: c.Mode,
		Text: c.Text, Terms: c.Terms, Replaces: c.Replaces}
	w.Expected = Expect(0)
	if err := tx.propose(s, w); err != nil {
		return nil, err
	}
	return &Result{Record: s}, nil
}

// SubmitChangeRequest sends a draft (or a rejected addition after rework)
// to review. ExpectedRevision, when set, is checked.
//
// Errors: NOT_FOUND, CONFLICT, INVALID (wrong state), FORBIDDEN.
type SubmitChangeRequest struct {
	ID               string  `json:"id"`
	ExpectedRevision *uint64 `json:"expectedRevision,omitempty"`
}

func (SubmitChangeRequest) CommandName() string { return "submitChangeRequest" }

func (c SubmitChangeRequest) target() (Kind, string) { return KindSpecialisation, c.ID }

func (c SubmitChangeRequest) apply(tx *Tx, w Write) (*Result, error) {
	w.Expected = c.ExpectedRevision
	s, old, err := tx.submit(c.ID, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: s, Previous: old}, nil
}

// ReviewChangeRequest approves (publishes) or rejects a submitted addition.
// Only state editors review; a rejection needs a comment, which is also
// the reason of the write.
//
// Errors: NOT_FOUND, CONFLICT, INVALID, FORBIDDEN, UNAUTHENTICATED.
type ReviewChangeRequest struct {
	ID               string  `json:"id"`
	Approve          bool    `json:"approve"`
	Comment          string  `json:"comment,omitempty"`
	ExpectedRevision *uint64 `json:"expectedRevision,omitempty"`
}

func (ReviewChangeRequest) CommandName() string { return "reviewChangeRequest" }

func (c ReviewChangeRequest) target() (Kind, string) { return KindSpecialisation, c.ID }

func (c ReviewChangeRequest) apply(tx *Tx, w Write) (*Result, error) {
	w.Expected = c.ExpectedRevision
	if w.Reason == "" {
		w.Reason = c.Comment
	}
	s, old, err := tx.review(c.ID, c.Approve, c.Comment, w)
	if err != nil {
		return nil, err
	}
	return &Result{Record: s, Previous: old}, nil
}

// RestoreVersion brings the version of a record written at Revision back
// as a new write. The write's reason defaults to naming the revision.
//
// Errors: NOT_FOUND (no such version), CONFLICT, INVALID, FORBIDDEN.
type RestoreVersion struct {
	Kind             Kind   `json:"kind"`
	ID               string `json:"id"`
	Revision         uint64 `json:"revision"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (RestoreVersion) CommandName() string { return "restoreVersion" }

func (c RestoreVersion) target() (Kind, string) { return c.Kind, c.ID }

func (c RestoreVersion) apply(tx *Tx, w Write) (*Result, error) {
	if _, err := NewRecord(c.Kind); err != nil {
		return nil, Invalid("kind", "enum", "unknown kind %q", c.Kind)
	}
	v, err := tx.VersionAt(c.Kind, c.ID, c.Revision)
	if err != nil {
		return nil, err
	}
	if w.Reason == "" {
		w.Reason = fmt.Sprintf("restored version of revision %d", c.Revision)
	}
	return save(tx, w, v, &c.ExpectedRevision)
}

// SetTranslation writes the version of one text of a record in a language
// other than German (see Tx.setTranslation for Path). With Confirm the
// translation counts as made from the current German text.
//
// Errors: INVALID (language, path, HTML, no German source), NOT_FOUND,
// CONFLICT, FORBIDDEN, UNAUTHENTICATED.
type SetTranslation struct {
	Kind              Kind   `json:"kind"`
	ID                string `json:"id"`
	Path              string `json:"path"`
	Lang              string `json:"lang"`
	Text              string `json:"text"`
	MachineTranslated bool   `json:"machineTranslated,omitempty"`
	Translator        string `json:"translator,omitempty"`
	Confirm           bool   `json:"confirm,omitempty"`
	ExpectedRevision  uint64 `json:"expectedRevision"`
}

func (SetTranslation) CommandName() string { return "setTranslation" }

func (c SetTranslation) target() (Kind, string) { return c.Kind, c.ID }

func (c SetTranslation) apply(tx *Tx, w Write) (*Result, error) {
	v := i18n.Version{Value: c.Text, MachineTranslated: c.MachineTranslated, Translator: c.Translator}
	if c.Text == "" {
		// An empty text would read as "confirm the existing one".
		return nil, Invalid("text", "required", "the translation is empty")
	}
	w.Expected = &c.ExpectedRevision
	return tx.setTranslation(c.Kind, c.ID, c.Path, c.Lang, v, c.Confirm, w)
}

// ConfirmTranslation confirms that a translation still fits the changed
// German text: it is no longer stale.
//
// Errors: as SetTranslation; INVALID when there is no translation.
type ConfirmTranslation struct {
	Kind             Kind   `json:"kind"`
	ID               string `json:"id"`
	Path             string `json:"path"`
	Lang             string `json:"lang"`
	ExpectedRevision uint64 `json:"expectedRevision"`
}

func (ConfirmTranslation) CommandName() string { return "confirmTranslation" }

func (c ConfirmTranslation) target() (Kind, string) { return c.Kind, c.ID }

func (c ConfirmTranslation) apply(tx *Tx, w Write) (*Result, error) {
	w.Expected = &c.ExpectedRevision
	return tx.setTranslation(c.Kind, c.ID, c.Path, c.Lang, i18n.Version{}, true, w)
}
