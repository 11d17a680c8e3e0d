// Package store is the search index of the pipeline: it writes enriched
// paragraphs into a Bleve index on disk, tells when every paragraph of an
// article is in, and answers searches, article look-ups and statistics.
//
// A Store is safe for concurrent use. Apply calls are serialised with each
// other; Search, Article and Stats run alongside them and see each Apply's
// batch either entirely or not at all.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"github.com/warta-news/warta/services/index/analysis"
)

// ErrBadQuery is wrapped by every error that a query's content causes: a size
// out of range, an unreadable date, an unknown entity type. The message says
// what was wrong and what to send instead.
var ErrBadQuery = errors.New("bad query")

// ErrMappingChanged is returned by Open for an index that a version of this
// package built whose mapping it cannot rebuild from (see migrate.go).
// Delete the directory and replay the ENRICHED stream to rebuild it.
var ErrMappingChanged = errors.New("index mapping changed")

// ErrLocked is returned by Open when another process uses the index folder.
var ErrLocked = errors.New("index folder in use")

// internalMappingKey is the internal key under which the mapping version is kept.
var internalMappingKey = []byte("warta.mapping_version")

// Store is a Bleve index of enriched paragraphs and complete articles.
type Store struct {
	path string
	idx  bleve.Index
	// mu serialises Apply: it reads the index, decides, then writes, and two
	// of them interleaving on one article would decide on stale reads.
	mu      sync.Mutex
	closed  bool
	release func() // the folder's lock
	// maxParagraphs bounds the count of a paragraph's article (see
	// WithMaxParagraphs).
	maxParagraphs int
	// migrated says what Open did to an index of an earlier mapping.
	migrated *Migration
}

// DefaultMaxParagraphs is the most paragraphs an article may have unless
// WithMaxParagraphs says otherwise: ingest's default limit.
const DefaultMaxParagraphs = 5000

// Option configures Open.
type Option func(*Store)

// WithMaxParagraphs sets the most paragraphs an article may have, as ingest's
// MAX_PARAGRAPHS: Apply rejects a paragraph whose count is higher, which
// ingest never writes, so that a forged count cannot leave an article that
// never completes.
func WithMaxParagraphs(n int) Option { return func(s *Store) { s.maxParagraphs = n } }

// Open opens the index at path, creating it (and missing parent directories)
// if nothing is there. It returns an error matching ErrMappingChanged if the
// index was built with another mapping.
//
// One process at a time may use an index folder: Open fails at once with an
// error matching ErrLocked, naming the process that uses it, when another
// does.
func Open(path string, opts ...Option) (*Store, error) {
	release, err := lock(path)
	if err != nil {
		return nil, err
	}
	s, err := open(path)
	if err != nil {
		release()
		return nil, err
	}
	s.release = release
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

func open(path string) (*Store, error) {
	analysis.Register()
	if _, err := os.Stat(filepath.Join(path, migrateDir)); err == nil {
		// A rebuild from an earlier mapping was interrupted: do it again.
		idx, m, err := migrate(path, "")
		if err != nil {
			return nil, err
		}
		return &Store{path: path, idx: idx, maxParagraphs: DefaultMaxParagraphs, migrated: m}, nil
	}
	idx, err := bleve.OpenUsing(path, scorchConfig())
	var migrated *Migration
	switch {
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist), errors.Is(err, bleve.ErrorIndexMetaMissing) && isEmptyDir(path):
		idx, err = create(path)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("open index %s: %w", path, err)
	default:
		v, err := idx.GetInternal(internalMappingKey)
		if err != nil {
			_ = idx.Close()
			return nil, fmt.Errorf("open index %s: read mapping version: %w", path, err)
		}
		if string(v) != mappingVersion {
			_ = idx.Close()
			if !slices.Contains(migratable, string(v)) {
				return nil, fmt.Errorf("%w: index %s has mapping version %q, this build writes %q and rebuilds only %s "+
					"(delete the directory and replay the %s stream with a new --consumer to rebuild it)",
					ErrMappingChanged, path, v, mappingVersion, strings.Join(migratable, ", "), "ENRICHED")
			}
			if idx, migrated, err = migrate(path, string(v)); err != nil {
				return nil, err
			}
		}
	}
	return &Store{path: path, idx: idx, maxParagraphs: DefaultMaxParagraphs, migrated: migrated}, nil
}

// isEmptyDir reports whether path is a folder with nothing in it but its
// lock file, such as one made ready for the index by an operator or a
// volume mount.
func isEmptyDir(path string) bool {
	entries, err := os.ReadDir(path)
	return err == nil && (len(entries) == 0 || len(entries) == 1 && entries[0].Name() == lockFile)
}

func create(path string) (bleve.Index, error) { return createWith(path, mappingVersion) }

// NewIndex creates an empty Bleve index at path with the store's mapping and
// settings, stamped with its mapping version as Open's own indexes are, and
// nothing in it: for a program that writes the store's paragraph documents
// by itself (ParagraphDocument), as the benchmark's plain-Bleve baseline
// does (bench/limits). It returns Bleve's error for a path that cannot hold
// a new index.
func NewIndex(path string) (bleve.Index, error) { return create(path) }

// createWith creates an index at path stamped with version: mappingVersion,
// or a mark that it is not complete yet.
func createWith(path, version string) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("build index mapping: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	idx, err := bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", path, err)
	}
	if err := idx.SetInternal(internalMappingKey, []byte(version)); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("create index %s: stamp mapping version: %w", path, err)
	}
	return idx, nil
}

// maxSegmentDocs caps the documents of a segment that Bleve's merger makes.
// A merge maps and reads every segment it merges, and those pages count in
// the index's RSS while it runs: with Bleve's default cap (5 million) the
// merges of a 100,000-paragraph index read all of it at once, 130 MB. At
// 50,000 the largest merge reads about 65 MB, and an index of a million
// paragraphs is searched over some twenty segments instead of one.
const maxSegmentDocs = 50_000

// scorchConfig is the configuration of Bleve's scorch index, given when the
// index is created and each time it is opened (so that it also applies to
// indexes created before it changed).
//
// Bleve's own file lock (bbolt's, on root.bolt) waits bolt_timeout: lock
// makes sure no other process of ours holds it, so this only bounds the wait
// for one that is not ours.
func scorchConfig() map[string]any {
	return map[string]any{
		"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": maxSegmentDocs},
		"bolt_timeout":           "10s",
	}
}

// Path returns the directory of the index.
func (s *Store) Path() string { return s.path }

// Close flushes and closes the index. Closing again does nothing; no other
// method may be called after Close.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.release()
	if err := s.idx.Close(); err != nil {
		return fmt.Errorf("close index %s: %w", s.path, err)
	}
	return nil
}

// searchAll runs req and returns all its hits, however many, by retrying with
// a larger size when the first page comes back full. It is for the store's own
// bounded look-ups (the documents of a few articles), not for user queries.
func (s *Store) searchAll(ctx context.Context, req *bleve.SearchRequest, guess int) (*bleve.SearchResult, error) {
	size := max(guess, 16)
	for {
		req.Size = size
		req.From = 0
		res, err := s.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		if len(res.Hits) < size {
			return res, nil
		}
		size *= 4
	}
}
