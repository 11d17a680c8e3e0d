// Package alerts runs the index's standing searches: it keeps the set of
// them that the key-value bucket events.BucketStandingSearches holds,
// compiled once each (Registry, kept current by Watch), evaluates them
// against each article that completes (Engine), publishes an alert for
// each match (Publisher) and serves PUT, GET and DELETE /alerts over HTTP
// (Handler).
//
// Evaluation looks at the one article, never at the index: the article is
// analysed once (store.Prepare), its words, names, types and language are
// looked up in an inverted map of the searches' anchors (store.Standing
// AnchorGroups) to find the few searches that could match, and only those are
// matched. A search with no anchor (only date filters) is tried on every
// article.
package alerts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/store"
)

// Compiler compiles standing searches; *store.Store implements it.
type Compiler interface {
	CompileStanding(q store.Query) (*store.Standing, error)
}

// Query returns the store query of a standing search.
func Query(s events.StandingSearch) store.Query {
	return store.Query{
		Text: s.Q, Entity: s.Entity, Type: s.Type, Lang: s.Lang, From: s.From, To: s.To,
		MentionedFrom: s.MentionedFrom, MentionedTo: s.MentionedTo,
	}
}

// Entry is one standing search of a Registry.
type Entry struct {
	Name   string
	Search events.StandingSearch
	// Revision is the bucket's revision of its last put.
	Revision uint64
	compiled *store.Standing
	// keys are the keys of byKey it is under: its anchors, and the
	// canonical names its entity filters learnt; all is the mask of its
	// anchor groups, each a bit.
	keys []string
	all  uint8
}

// posting is a standing search filed under a key of one of its anchor groups.
type posting struct {
	e     *Entry
	group uint8 // the group's bit
}

// Registry is the set of standing searches an index evaluates, compiled,
// with an inverted map from anchors to searches. It is safe for concurrent
// use: Watch writes it, the workers that complete articles read it.
type Registry struct {
	compiler Compiler
	log      *zap.Logger

	mu     sync.RWMutex
	byName map[string]*Entry
	byKey  map[string]map[string]posting
	always map[string]*Entry
	// byAlias maps the value of each entity filter, lower-cased, to the
	// searches that have it (see learn); learnt holds the aliases and
	// canonical names learn taught them (putin → Vladimir Putin), until a
	// search with that alias is put (it has yet to learn them).
	byAlias map[string]map[string]*Entry
	learnt  map[string]map[string]bool
	// last holds, per name, the revision of the last put or delete
	// applied: an older one arriving later (the watch delivering what a
	// PUT applied already) changes nothing.
	last map[string]uint64
	// seen is the highest revision applied, and changed is closed (and
	// replaced) whenever a put or delete is applied.
	seen    uint64
	changed chan struct{}
	loaded  bool
}

// NewRegistry returns an empty registry that compiles with c and logs the
// standing searches that cannot be compiled to log.
func NewRegistry(c Compiler, log *zap.Logger) *Registry {
	return &Registry{compiler: c, log: log, byName: map[string]*Entry{}, byKey: map[string]map[string]posting{},
		always: map[string]*Entry{}, byAlias: map[string]map[string]*Entry{}, learnt: map[string]map[string]bool{}, last: map[string]uint64{}, changed: make(chan struct{})}
}

// Put compiles s and makes it the standing search name as of revision rev
// of the bucket; a revision not newer than the last applied to name is
// ignored. A search that cannot be compiled (put into the bucket by hand, or
// by another version of the index) is logged with its name and dropped,
// and its error returned.
func (r *Registry) Put(name string, rev uint64, s events.StandingSearch) error {
	compiled, err := r.compiler.CompileStanding(Query(s))
	if err != nil {
		r.log.Warn("standing search cannot be evaluated; skipped", zap.String("alert", name), zap.Uint64("revision", rev), zap.Error(err))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rev <= r.last[name] {
		return err
	}
	r.remove(name)
	if err == nil {
		e := &Entry{Name: name, Search: s, Revision: rev, compiled: compiled}
		r.byName[name] = e
		groups := compiled.AnchorGroups()
		if len(groups) == 0 {
			r.always[name] = e
		}
		for g, keys := range groups {
			e.all |= 1 << g
			for _, k := range keys {
				r.addKey(e, k, g)
			}
		}
		for _, v := range compiled.EntityValues() {
			addTo(r.byAlias, v, e)
			delete(r.learnt, v)
		}
	}
	r.advance(name, rev)
	return err
}

// Delete removes the standing search name as of revision rev.
func (r *Registry) Delete(name string, rev uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rev <= r.last[name] {
		return
	}
	r.remove(name)
	r.advance(name, rev)
}

// remove drops name from the maps; r.mu is held.
func (r *Registry) remove(name string) {
	e := r.byName[name]
	if e == nil {
		return
	}
	delete(r.byName, name)
	delete(r.always, name)
	for _, k := range e.keys {
		if set := r.byKey[k]; set != nil {
			delete(set, name)
			if len(set) == 0 {
				delete(r.byKey, k)
			}
		}
	}
	for _, v := range e.compiled.EntityValues() {
		removeFrom(r.byAlias, v, name)
	}
}

// addKey files e under key k of its anchor group g; r.mu is held.
func (r *Registry) addKey(e *Entry, k string, g int) {
	set := r.byKey[k]
	if set == nil {
		set = map[string]posting{}
		r.byKey[k] = set
	}
	p, ok := set[e.Name]
	if !ok {
		e.keys = append(e.keys, k)
	}
	set[e.Name] = posting{e: e, group: p.group | 1<<g}
}

// addTo adds e to the set of k in m, and reports whether it was not there.
func addTo(m map[string]map[string]*Entry, k string, e *Entry) bool {
	set := m[k]
	if set == nil {
		set = map[string]*Entry{}
		m[k] = set
	}
	if set[e.Name] == e {
		return false
	}
	set[e.Name] = e
	return true
}

func removeFrom(m map[string]map[string]*Entry, k, name string) {
	if set := m[k]; set != nil {
		delete(set, name)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

// learn teaches the standing searches with entity filters the aliases of
// an article (see store.Standing.Learn) before it is evaluated, as the
// index learns them when it writes the article: a filter on "Putin" then
// also matches an article that names only "Vladimir Putin", once an
// article has said that Putin is Vladimir Putin.
func (r *Registry) learn(aliases func(func(alias, canonical string) bool)) {
	type pair struct{ alias, canonical string }
	var found []pair
	r.mu.RLock()
	if len(r.byAlias) > 0 {
		aliases(func(alias, canonical string) bool {
			if r.byAlias[alias] != nil && !r.learnt[alias][canonical] {
				found = append(found, pair{alias, canonical})
			}
			return true
		})
	}
	r.mu.RUnlock()
	if len(found) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range found {
		if r.learnt[p.alias] == nil {
			r.learnt[p.alias] = map[string]bool{}
		}
		r.learnt[p.alias][p.canonical] = true
		for _, e := range r.byAlias[p.alias] {
			if e.compiled.Learn(p.alias, p.canonical) {
				if g := e.compiled.EntityGroup(p.alias); g >= 0 {
					r.addKey(e, store.EntityKey(p.canonical), g)
				}
			}
		}
	}
}

// advance records revision rev of name; r.mu is held.
func (r *Registry) advance(name string, rev uint64) {
	r.last[name] = rev
	r.seen = max(r.seen, rev)
	close(r.changed)
	r.changed = make(chan struct{})
}

// Len returns the number of standing searches being evaluated.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byName)
}

// Get returns the standing search name.
func (r *Registry) Get(name string) (Entry, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e := r.byName[name]
	if e == nil {
		return Entry{}, false
	}
	return *e, true
}

// List returns every standing search, by name.
func (r *Registry) List() []Entry {
	r.mu.RLock()
	out := make([]Entry, 0, len(r.byName))
	for _, e := range r.byName {
		out = append(out, *e)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b Entry) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// candidates returns the standing searches that may match an article with
// keys (see store.Candidate.Keys): those with a key of each of their anchor
// groups among them, and those without anchors.
func (r *Registry) candidates(keys func(func(string) bool)) []*Entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.byName) == 0 {
		return nil
	}
	out := make([]*Entry, 0, len(r.always))
	for _, e := range r.always {
		out = append(out, e)
	}
	hits := make(map[*Entry]uint8, 256)
	keys(func(k string) bool {
		for _, p := range r.byKey[k] {
			hits[p.e] |= p.group
		}
		return true
	})
	for e, mask := range hits {
		if mask == e.all {
			out = append(out, e)
		}
	}
	return out
}

// WaitRevision waits until the registry has applied revision rev of the
// bucket (by Watch or by Put and Delete), or ctx ends.
func (r *Registry) WaitRevision(ctx context.Context, rev uint64) error {
	for {
		r.mu.RLock()
		seen, ch := r.seen, r.changed
		r.mu.RUnlock()
		if seen >= rev {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for revision %d of the standing searches (at %d): %w", rev, seen, ctx.Err())
		}
	}
}

// Loaded reports whether Watch has read every standing search the bucket
// held when it started.
func (r *Registry) Loaded() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.loaded
}

// Watch keeps r equal to the bucket kv until ctx ends: every put and
// delete of any index process reaches every process this way. loaded is
// called once the bucket's content at the start is in r, so that the
// index consumes only once it evaluates every standing search. A value
// that is not a StandingSearch is logged with its name and skipped.
func Watch(ctx context.Context, kv jetstream.KeyValue, r *Registry, log *zap.Logger, loaded func()) error {
	for {
		err := watch(ctx, kv, r, log, loaded)
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("watch of the standing searches ended; watching again", zap.Error(err))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func watch(ctx context.Context, kv jetstream.KeyValue, r *Registry, log *zap.Logger, loaded func()) error {
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("watch bucket %s: %w", kv.Bucket(), err)
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("the watch's channel closed")
			}
			if e == nil {
				r.mu.Lock()
				first := !r.loaded
				r.loaded = true
				r.mu.Unlock()
				if first {
					log.Info("standing searches loaded", zap.Int("standing_searches", r.Len()))
					if loaded != nil {
						loaded()
					}
				}
				continue
			}
			apply(r, e, log)
		}
	}
}

// apply applies one entry of the bucket to r.
func apply(r *Registry, e jetstream.KeyValueEntry, log *zap.Logger) {
	if e.Operation() != jetstream.KeyValuePut {
		r.Delete(e.Key(), e.Revision())
		return
	}
	var s events.StandingSearch
	if err := events.Unmarshal(e.Value(), &s); err != nil {
		log.Warn("standing search cannot be read; skipped", zap.String("alert", e.Key()), zap.Uint64("revision", e.Revision()), zap.Error(err))
		// What was there before is gone: the bucket holds this now.
		r.Delete(e.Key(), e.Revision())
		return
	}
	_ = r.Put(e.Key(), e.Revision(), s) // logged by Put
}

// WaitName waits until the registry has applied a put or delete of name
// newer than revision after, or ctx ends.
func (r *Registry) WaitName(ctx context.Context, name string, after uint64) error {
	for {
		r.mu.RLock()
		last, ch := r.last[name], r.changed
		r.mu.RUnlock()
		if last > after {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for a change of standing search %s after revision %d: %w", name, after, ctx.Err())
		}
	}
}
