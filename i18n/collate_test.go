package i18n

import (
	"slices"
	"sync"
	"testing"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"Equal", "Apfel", "Apfel", 0},
		{"Alphabetic", "Apfel", "Birne", -1},
		{"UmlautAfterBase", "Apfel", "Äpfel", -1},
		{"UmlautBeforeNextLetter", "Äpfel", "Birne", -1},
		{"UmlautNotAfterZ", "Öl", "Zebra", -1},
		{"SharpSAsSS", "Straße", "Strassf", -1},
		{"SharpSAfterSSR", "Strasser", "Straße", 1},
		{"LowerFirst", "apfel", "Apfel", -1},
		{"Reverse", "Birne", "Apfel", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(tt.a, tt.b); got != tt.want {
				t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestSortStrings(t *testing.T) {
	tests := []struct {
		name     string
		in, want []string
	}{
		{"Umlaut", []string{"Birne", "Äpfel", "Apfel"}, []string{"Apfel", "Äpfel", "Birne"}},
		{
			"SharpS",
			[]string{"Strauch", "Straße", "Strasbourg", "Strasse", "Strand"},
			[]string{"Strand", "Strasbourg", "Strasse", "Straße", "Strauch"},
		},
		{
			"Offices",
			[]string{"Zulassungsstelle", "Ordnungsamt", "Ärztekammer", "Bürgerbüro", "Amt für Bodenmanagement"},
			[]string{"Amt für Bodenmanagement", "Ärztekammer", "Bürgerbüro", "Ordnungsamt", "Zulassungsstelle"},
		},
		{"Empty", []string{}, []string{}},
		{"One", []string{"Öl"}, []string{"Öl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Clone(tt.in)
			SortStrings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SortStrings(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSortBy(t *testing.T) {
	type office struct {
		name string
		id   int
	}
	in := []office{{"Ordnungsamt", 1}, {"Ärztekammer", 2}, {"Amt", 3}, {"Ordnungsamt", 4}, {"Bürgerbüro", 5}}
	SortBy(in, func(o office) string { return o.name })
	var got []int
	for _, o := range in {
		got = append(got, o.id)
	}
	// Equal names keep their order (1 before 4).
	if want := []int{3, 2, 5, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("SortBy ids = %v, want %v", got, want)
	}
}

// Collators are not safe for concurrent use; run with -race.
func TestCollateConcurrent(t *testing.T) {
	want := []string{"Apfel", "Äpfel", "Birne", "Strasse", "Straße", "Zebra"}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 100 {
				got := []string{"Zebra", "Straße", "Birne", "Äpfel", "Strasse", "Apfel"}
				SortStrings(got)
				if !slices.Equal(got, want) {
					t.Errorf("SortStrings = %q, want %q", got, want)
					return
				}
				if c := Compare("Äpfel", "Birne"); c != -1 {
					t.Errorf("Compare(Äpfel, Birne) = %d, want -1", c)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkSortStrings(b *testing.B) {
	in := []string{"Zulassungsstelle", "Ordnungsamt", "Ärztekammer", "Bürgerbüro", "Straße", "Strasse", "Amt für Bodenmanagement", "Standesamt"}
	s := make([]string, len(in))
	for b.Loop() {
		copy(s, in)
		SortStrings(s)
	}
}
