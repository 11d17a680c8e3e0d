//go:build !unix

package store

// lockFile is the name of the lock file lock_unix.go keeps; elsewhere there
// is none, and Bleve's own lock is all there is.
const lockFile = "warta.lock"

func lock(string) (func(), error) { return func() {}, nil }
