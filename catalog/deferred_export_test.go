package catalog

// SetDeferredBatches makes BuildDeferredIndexes of s write n entries a
// transaction and call after once each is committed.
func SetDeferredBatches(s *Store, n int, after func()) {
	s.deferred.batch, s.deferred.afterBatch = n, after
}
