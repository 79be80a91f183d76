// Command gen writes the demo catalogue's generated files from the shared
// public data. Run it from the repository root:
//
//	go run ./catalog/demo/gen -data ../shared/data -out catalog/demo/data
//
// The output is deterministic: running it twice gives identical bytes.
//
// With -situations it writes only the report of how every service got its
// life situations (catalog/demo/data/life-situation-assignments.tsv), from
// the content and the generated federal services; it needs no shared data.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
)

func main() {
	data := flag.String("data", "../shared/data", "directory of the shared public data (see its README.md)")
	out := flag.String("out", "catalog/demo/data", "directory to write the generated files into")
	situations := flag.Bool("situations", false, "write only "+demo.AssignmentsFile+" below the demo package (run from the repository root)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *situations {
		if err := writeAssignments(filepath.Join("catalog/demo", demo.AssignmentsFile)); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	if err := demo.Generate(*data, *out, log); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func writeAssignments(path string) error {
	var b bytes.Buffer
	if err := demo.WriteAssignments(&b); err != nil {
		return err
	}
	if err := os.WriteFile(path+".tmp", b.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return err
	}
	fmt.Println("gen: wrote", path)
	return nil
}
