package demo

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// This file reads the hand-written content of content/ (format:
// content/FORMAT.md) and turns it into catalogue records.

// hessen is the region key of the state, whose editorial office maintains
// the hand-written services.
const hessen = "060000000000"

// Levels of content services: which offices are responsible.
const (
	levelMunicipality = "municipality"
	levelDistrict     = "district"
	levelState        = "state"
	levelFederal      = "federal"
)

type contentFile struct {
	Services []contentService `json:"services"`
}

// contentService is one service of core-services-*.json and
// administration-services.json.
type contentService struct {
	LeikaKey       string              `json:"leikaKey"`
	Category       string              `json:"category"`
	Level          string              `json:"level"`
	Addressees     []catalog.Addressee `json:"addressees"`
	Typisation     string              `json:"typisation"`
	Bundles        []string            `json:"bundles"`
	Keywords       map[string][]string `json:"keywords"`
	Texts          contentTexts        `json:"texts"`
	Fees           []contentFee        `json:"fees"`
	Deadlines      []contentDeadline   `json:"deadlines"`
	ProcessingTime *contentDuration    `json:"processingTime"`
}

// bilingual is a text as the content files write it.
type bilingual struct {
	DE string `json:"de"`
	EN string `json:"en"`
}

// text returns the catalogue text, nil when both languages are empty.
func (b *bilingual) text() i18n.Text {
	if b == nil || (b.DE == "" && b.EN == "") {
		return nil
	}
	return i18n.Bilingual(b.DE, b.EN)
}

// contentTexts are the text modules by the names FORMAT.md gives them.
type contentTexts struct {
	Name           *bilingual `json:"name"`
	CitizenName    *bilingual `json:"citizenName"`
	ShortText      *bilingual `json:"shortText"`
	FullText       *bilingual `json:"fullText"`
	Prerequisites  *bilingual `json:"prerequisites"`
	Documents      *bilingual `json:"documents"`
	Fees           *bilingual `json:"fees"`
	Procedure      *bilingual `json:"procedure"`
	ProcessingTime *bilingual `json:"processingTime"`
	Deadlines      *bilingual `json:"deadlines"`
	LegalBases     *bilingual `json:"legalBases"`
	Redress        *bilingual `json:"redress"`
	Notes          *bilingual `json:"notes"`
}

// modules maps the texts to their LeiKa module codes.
func (t *contentTexts) modules() map[catalog.Module]i18n.Text {
	out := map[catalog.Module]i18n.Text{}
	for m, b := range map[catalog.Module]*bilingual{
		catalog.ModuleName:           t.Name,
		catalog.ModuleCitizenName:    t.CitizenName,
		catalog.ModuleShortText:      t.ShortText,
		catalog.ModuleFullText:       t.FullText,
		catalog.ModuleLegalBases:     t.LegalBases,
		catalog.ModuleDocuments:      t.Documents,
		catalog.ModulePrerequisites:  t.Prerequisites,
		catalog.ModuleFees:           t.Fees,
		catalog.ModuleProcedure:      t.Procedure,
		catalog.ModuleProcessingTime: t.ProcessingTime,
		catalog.ModuleDeadlines:      t.Deadlines,
		catalog.ModuleNotes:          t.Notes,
		catalog.ModuleRedress:        t.Redress,
	} {
		if txt := b.text(); txt != nil {
			out[m] = txt
		}
	}
	return out
}

// contentFee is a structured fee; amounts are euro strings with two
// decimals ("37.00"), never floats.
type contentFee struct {
	Kind        catalog.FeeKind `json:"kind"`
	Amount      string          `json:"amount"`
	Min         string          `json:"min"`
	Max         string          `json:"max"`
	Description *bilingual      `json:"description"`
}

type contentDuration struct {
	Value       int              `json:"value"`
	ValueTo     int              `json:"valueTo"`
	Unit        catalog.TimeUnit `json:"unit"`
	Description *bilingual       `json:"description"`
}

// duration returns the structured duration, nil when none is given.
func (d *contentDuration) duration() *catalog.Duration {
	if d.Unit == "" && d.Value == 0 && d.ValueTo == 0 {
		return nil
	}
	return &catalog.Duration{Value: d.Value, ValueTo: d.ValueTo, Unit: d.Unit}
}

type contentDeadline struct {
	Kind catalog.DeadlineKind `json:"kind"`
	contentDuration
}

type bundlesFile struct {
	Bundles []contentBundle `json:"bundles"`
}

type contentBundle struct {
	Number             int    `json:"number"`
	Name               string `json:"name"`
	NameEN             string `json:"nameEn"`
	Services           int    `json:"services"`
	AvailableSince     string `json:"availableSince"`
	AvailableSinceDate string `json:"availableSinceDate"`
}

func bundleID(number int) string { return fmt.Sprintf("HE.UB.%010d", number) }

func (b contentBundle) record() (*catalog.Bundle, error) {
	since, err := time.Parse(time.DateOnly, b.AvailableSinceDate)
	if err != nil {
		return nil, fmt.Errorf("bundle %d: availableSinceDate: %w", b.Number, err)
	}
	if b.Number <= 0 || b.Name == "" {
		return nil, fmt.Errorf("bundle %d: needs a positive number and a name", b.Number)
	}
	return &catalog.Bundle{Meta: catalog.Meta{ID: bundleID(b.Number)}, Number: b.Number,
		Name: i18n.Bilingual(b.Name, b.NameEN), ServiceCount: b.Services,
		AvailableSince: b.AvailableSince, AvailableSinceDate: since}, nil
}

var centsRE = regexp.MustCompile(`^([0-9]{1,9})\.([0-9]{2})$`)

// parseCents reads a euro amount written with exactly two decimals.
func parseCents(s string) (catalog.Cents, error) {
	m := centsRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("amount %q is not euros with two decimals (\"37.00\")", s)
	}
	euros, _ := strconv.ParseInt(m[1], 10, 64)
	cents, _ := strconv.ParseInt(m[2], 10, 64)
	return catalog.Cents(euros*100 + cents), nil
}

// record turns a content service into a catalogue service with the given
// ID; bundles maps bundle names to their IDs.
func (c *contentService) record(id string, bundles map[string]string) (*catalog.Service, error) {
	switch c.Level {
	case levelMunicipality, levelDistrict, levelState, levelFederal:
	default:
		return nil, fmt.Errorf("level %q is not municipality, district, state or federal", c.Level)
	}
	s := &catalog.Service{
		Meta:       catalog.Meta{ID: id},
		Status:     catalog.StatusPublished,
		RegionKey:  hessen, // written by the state editorial office
		LeikaKeys:  []string{c.LeikaKey},
		Texts:      c.Texts.modules(),
		Addressees: c.Addressees,
	}
	if c.Typisation != "" {
		s.Typisation = []string{c.Typisation}
	}
	if c.Category != "" {
		s.Categories = []string{c.Category}
	}
	for _, name := range c.Bundles {
		bid, ok := bundles[name]
		if !ok {
			return nil, fmt.Errorf("bundle %q is not in bundles.json", name)
		}
		s.BundleIDs = append(s.BundleIDs, bid)
	}
	if len(c.Keywords) > 0 {
		s.Keywords = c.Keywords
	}
	for i, f := range c.Fees {
		fee := catalog.Fee{Kind: f.Kind, Description: f.Description.text()}
		var err error
		switch f.Kind {
		case catalog.FeeFixed:
			if f.Min != "" || f.Max != "" {
				err = fmt.Errorf("a fixed fee has an amount, not min and max")
			} else {
				fee.Amount, err = parseCents(f.Amount)
			}
		case catalog.FeeRange:
			if f.Amount != "" {
				err = fmt.Errorf("a range fee has min and max, not an amount")
			} else if fee.Min, err = parseCents(f.Min); err == nil {
				fee.Max, err = parseCents(f.Max)
			}
		case catalog.FeeFree:
			if f.Amount != "" || f.Min != "" || f.Max != "" {
				err = fmt.Errorf("a free fee has no amount")
			}
		default:
			err = fmt.Errorf("kind %q is not FIXED, RANGE or FREE", f.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("fees[%d]: %w", i, err)
		}
		s.Fees = append(s.Fees, fee)
	}
	for _, d := range c.Deadlines {
		s.Deadlines = append(s.Deadlines, catalog.Deadline{Kind: d.Kind, Duration: d.duration(), Description: d.Description.text()})
	}
	if p := c.ProcessingTime; p != nil {
		s.Processing = &catalog.ProcessingTime{Duration: p.duration(), Description: p.Description.text()}
	}
	return s, nil
}
