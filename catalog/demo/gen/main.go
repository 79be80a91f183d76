// Command gen writes the demo catalogue's generated files from the shared
// public data. Run it from the repository root:
//
//	go run ./catalog/demo/gen -data ../shared/data -out catalog/demo/data
//
// The output is deterministic: running it twice gives identical bytes.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
)

func main() {
	data := flag.String("data", "../shared/data", "directory of the shared public data (see its README.md)")
	out := flag.String("out", "catalog/demo/data", "directory to write the generated files into")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := demo.Generate(*data, *out, log); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
