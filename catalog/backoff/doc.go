// Package backoff is the one retry schedule of the followers of the change
// log (the search indexer, the federation pullers): exponential waits
// between a minimum and a maximum with "equal jitter" (half fixed, half
// random), so that many followers that failed together do not retry in
// step, and a wait that ends early when the follower is stopped.
package backoff
