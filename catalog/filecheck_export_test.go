package catalog

// VerifyFileQuick exposes the quick check of Open to the external tests.
var VerifyFileQuick = verifyFileQuick
