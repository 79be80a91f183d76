package catalog

// VerifyFileQuick exposes the quick check of Open (verifyBeforeOpen on a
// store its last process closed) to the external tests.
func VerifyFileQuick(path string) error { return walkFile(path, false, quickCheckDepth) }
