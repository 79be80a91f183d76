// Package catalogtest holds what tests of several packages need of the
// catalogue: a real store in a temporary directory that is checked
// (Store.Check) when the test ends, the region hierarchy the tests write,
// and a clock the tests set by hand. It is imported by tests only.
package catalogtest
