package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for the real one: started with
// envRunAsMain set, it runs main. The restore check and the crash tests
// start it as a child process.
func TestMain(m *testing.M) {
	if os.Getenv(envRunAsMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
