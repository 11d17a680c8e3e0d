package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/segmentio/encoding/json"

	"github.com/warta-news/warta/pkg/events"
	"github.com/warta-news/warta/services/index/link"
)

// An index built with an earlier mapping is rebuilt when it is opened, from
// its own documents: the paragraphs of every article (their text, tags and
// linked canonical names), the article records (metadata and link tables)
// and the pending paragraphs, written again with this mapping. Nothing is
// replayed from ENRICHED, which keeps messages for a week only, so nothing
// older is lost. The old index is first moved into a folder inside the
// index folder (migrateDir), which works on a volume mount too; it is
// deleted once the new one is complete. An interrupted rebuild starts
// again from it at the next Open.

// migrateDir is the folder, inside the index folder, that holds an old
// index while it is rebuilt.
const migrateDir = ".rebuilding-from"

// migratable are the earlier mapping versions Open rebuilds.
var migratable = []string{"1", "2", "3", "4"}

// Migration says what Open did to an index built with an earlier mapping.
type Migration struct {
	From, To                      string
	Articles, Paragraphs, Pending int
	Took                          time.Duration
}

// Migrated returns what Open did to an index built with an earlier
// mapping, or nil when it did nothing.
func (s *Store) Migrated() *Migration { return s.migrated }

// migrate rebuilds the index at path, whose mapping version is from (or
// which holds an interrupted rebuild), and returns the new index.
func migrate(path, from string) (bleve.Index, *Migration, error) {
	start := time.Now()
	oldPath := filepath.Join(path, migrateDir)
	if _, err := os.Stat(oldPath); errors.Is(err, os.ErrNotExist) {
		// Move the old index aside, file by file (the folder itself may be a
		// mount point).
		if err := os.Mkdir(oldPath, 0o755); err != nil {
			return nil, nil, fmt.Errorf("rebuild index %s: %w", path, err)
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, fmt.Errorf("rebuild index %s: %w", path, err)
		}
		for _, e := range entries {
			if e.Name() == migrateDir || e.Name() == lockFile {
				continue
			}
			if err := os.Rename(filepath.Join(path, e.Name()), filepath.Join(oldPath, e.Name())); err != nil {
				return nil, nil, fmt.Errorf("rebuild index %s: move the old index aside: %w", path, err)
			}
		}
	} else {
		// An interrupted rebuild: what it wrote goes.
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, fmt.Errorf("rebuild index %s: %w", path, err)
		}
		for _, e := range entries {
			if e.Name() != migrateDir && e.Name() != lockFile {
				if err := os.RemoveAll(filepath.Join(path, e.Name())); err != nil {
					return nil, nil, fmt.Errorf("rebuild index %s: %w", path, err)
				}
			}
		}
	}
	old, err := bleve.OpenUsing(oldPath, scorchConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("rebuild index %s: open the old index: %w", path, err)
	}
	oldOpen := true
	defer func() {
		if oldOpen {
			_ = old.Close()
		}
	}()
	if v, err := old.GetInternal(internalMappingKey); err == nil && from == "" {
		from = string(v)
	}
	idx, err := createWith(path, "rebuilding")
	if err != nil {
		return nil, nil, err
	}
	m := &Migration{From: from, To: mappingVersion}
	if err := copyDocs(old, idx, m); err != nil {
		_ = idx.Close()
		return nil, nil, fmt.Errorf("rebuild index %s from mapping %s: %w", path, from, err)
	}
	if err := idx.SetInternal(internalMappingKey, []byte(mappingVersion)); err != nil {
		_ = idx.Close()
		return nil, nil, fmt.Errorf("rebuild index %s: stamp mapping version: %w", path, err)
	}
	oldOpen = false
	if err := old.Close(); err != nil {
		_ = idx.Close()
		return nil, nil, fmt.Errorf("rebuild index %s: close the old index: %w", path, err)
	}
	if err := os.RemoveAll(oldPath); err != nil {
		_ = idx.Close()
		return nil, nil, fmt.Errorf("rebuild index %s: delete the old index: %w", path, err)
	}
	m.Took = time.Since(start)
	return idx, m, nil
}

// copyDocs writes every article of old into idx, one article at a time.
func copyDocs(old, idx bleve.Index, m *Migration) error {
	dict, err := old.FieldDict(fieldArticleID)
	if err != nil {
		return err
	}
	var ids []string
	for {
		e, err := dict.Next()
		if err != nil {
			_ = dict.Close()
			return err
		}
		if e == nil {
			break
		}
		if e.Count > 0 {
			ids = append(ids, e.Term)
		}
	}
	_ = dict.Close()
	batch := idx.NewBatch()
	now := time.Now().UTC()
	for _, id := range ids {
		if err := copyArticle(old, batch, id, now, m); err != nil {
			return fmt.Errorf("article %s: %w", id, err)
		}
		if batch.Size() >= 1000 {
			if err := idx.Batch(batch); err != nil {
				return err
			}
			batch = idx.NewBatch()
		}
	}
	return idx.Batch(batch)
}

// copyArticle adds the documents of article id, read from old, to batch.
func copyArticle(old bleve.Index, batch *bleve.Batch, id string, now time.Time, m *Migration) error {
	req := bleve.NewSearchRequest(termQuery(fieldArticleID, id))
	req.Fields = []string{fieldType, fieldSource, fieldText, fieldTitle}
	req.Score = bleve.ScoreNone
	req.Size = 1 << 16
	res, err := old.SearchInContext(context.Background(), req)
	if err != nil {
		return err
	}
	var rec *articleRecord
	var paras []*events.EnrichedParagraph
	for _, h := range res.Hits {
		src := storedString(h.Fields, fieldSource)
		switch storedString(h.Fields, fieldType) {
		case typeArticle:
			rec = &articleRecord{}
			if err := json.Unmarshal([]byte(src), rec); err != nil {
				return fmt.Errorf("decode stored article: %w", err)
			}
		case typeParagraph:
			p, err := decodeParagraph(h.ID, h.Fields)
			if err != nil {
				return err
			}
			paras = append(paras, &p)
		case typePending:
			var p events.EnrichedParagraph
			if err := json.Unmarshal([]byte(src), &p); err != nil {
				return fmt.Errorf("decode stored pending paragraph: %w", err)
			}
			doc, err := pendingDoc(&p, now)
			if err != nil {
				return err
			}
			if err := batch.Index(pendingDocID(id, slot{rev{p.ArticleSeq, p.Version}, p.Index}), doc); err != nil {
				return err
			}
			m.Pending++
		}
	}
	slices.SortFunc(paras, func(a, b *events.EnrichedParagraph) int { return cmp.Compare(a.Index, b.Index) })
	for _, p := range paras {
		doc, err := paragraphDoc(p)
		if err != nil {
			return err
		}
		if err := batch.Index(paragraphDocID(id, p.Index), doc); err != nil {
			return err
		}
		m.Paragraphs++
	}
	if rec == nil || len(paras) == 0 {
		return nil
	}
	// The record's own metadata, and revision: a paragraph of an index of
	// mapping 1 has no article_seq, and the record may be of the revision
	// its paragraphs are of.
	meta := *paras[0]
	meta.Version, meta.ArticleSeq, meta.Title, meta.Count = rec.Version, rec.ArticleSeq, rec.Title, rec.Count
	meta.PublishedAt, meta.Lang, meta.URL, meta.Source = rec.PublishedAt, rec.Lang, rec.URL, rec.Source
	links := link.Table{}
	if rec.Links != nil {
		links = *rec.Links
	}
	doc, err := articleDoc(&meta, paras, links, rec.IndexedAt, rec.Update)
	if err != nil {
		return err
	}
	if err := batch.Index(articleDocID(id), doc); err != nil {
		return err
	}
	m.Articles++
	return nil
}

// String says what the migration did, for the log.
func (m *Migration) String() string {
	return strings.TrimSpace(fmt.Sprintf("rebuilt from mapping %s to %s: %d articles, %d paragraphs, %d pending, in %v",
		m.From, m.To, m.Articles, m.Paragraphs, m.Pending, m.Took.Round(time.Millisecond)))
}
