//go:build !unix

package catalog

import (
	"os"
	"time"
)

// lockFile is a no-op where flock does not exist; bbolt's own lock still
// guards the store when it is opened.
func lockFile(*os.File, bool, time.Duration) error { return nil }

func unlockFile(*os.File) error { return nil }
