package store

import (
	"fmt"

	"github.com/warta-news/warta/pkg/events"
)

// IndexRaw writes ps into a new index at path, with the store's mapping and
// paragraph documents, in Bleve batches of size, and does nothing else: no
// reading of article state, no versions, no pending or article documents,
// no linking. It is the baseline that the benchmark (bench/limits) compares
// Apply with: plain Bleve batch indexing of the same documents.
func IndexRaw(path string, ps []events.EnrichedParagraph, size int) error {
	idx, err := create(path)
	if err != nil {
		return err
	}
	for len(ps) > 0 {
		n := min(size, len(ps))
		b := idx.NewBatch()
		for i := range ps[:n] {
			doc, err := paragraphDoc(&ps[i])
			if err != nil {
				_ = idx.Close()
				return err
			}
			if err := b.Index(paragraphDocID(ps[i].ArticleID, ps[i].Index), doc); err != nil {
				_ = idx.Close()
				return fmt.Errorf("map document %s: %w", ps[i].ID, err)
			}
		}
		if err := idx.Batch(b); err != nil {
			_ = idx.Close()
			return fmt.Errorf("write batch of %d paragraphs: %w", n, err)
		}
		ps = ps[n:]
	}
	return idx.Close()
}
