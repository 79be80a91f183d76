package demo

import (
	"bytes"
	"log/slog"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// The report of how services got their life situations is generated; it
// must say what the demo does.
func TestAssignmentsFileIsCurrent(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteAssignments(&b))
	want, err := os.ReadFile(AssignmentsFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String(), "run go run ./catalog/demo/gen -situations")
}

func TestEveryCoreServiceHasALifeSituation(t *testing.T) {
	c, err := build(slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	core, situated := 0, 0
	for _, s := range c.services {
		if s.ID >= serviceID(firstAdminService) {
			continue
		}
		core++
		assert.NotEmpty(t, s.LifeSituationIDs, "core service %s %s", s.LeikaKeys[0], s.Texts[catalog.ModuleName][i18n.DE].Value)
	}
	for _, s := range c.services {
		if len(s.LifeSituationIDs) > 0 {
			situated++
		}
	}
	assert.Equal(t, 76, core)
	assert.Greater(t, situated, 400, "the federal services are assigned by their names too")
	byKey := map[string]*catalog.Service{}
	for _, s := range c.services {
		byKey[s.LeikaKeys[0]] = s
	}
	ids := map[string]string{}
	for _, l := range c.situations {
		ids[l.Name[i18n.EN].Value] = l.ID
	}
	assert.Contains(t, byKey["99114045017001"].LifeSituationIDs, ids["Retirement and pension"], "Regelaltersrente by its name")
	assert.Contains(t, byKey["99038001017000"].LifeSituationIDs, ids["Losing your job"], "Arbeitslosengeld by its name")
	var business int
	for _, l := range c.situations {
		if l.Addressee == catalog.AddresseeBusiness {
			business++
		}
	}
	assert.GreaterOrEqual(t, business, 5, "business situations (Unternehmenslagen)")
}
