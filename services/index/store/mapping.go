package store

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Document types, kept in the "type" field of every document.
const (
	typeParagraph = "paragraph" // a searchable paragraph of an article
	typeArticle   = "article"   // one per article whose current version is complete
	typePending   = "pending"   // a paragraph of a version waiting to replace the current one
)

// Field names of the index.
const (
	fieldType        = "type"
	fieldArticleID   = "article_id"
	fieldVersion     = "version"
	fieldArticleSeq  = "article_seq"
	fieldHeldAt      = "held_at"
	fieldIndex       = "index"
	fieldCount       = "count"
	fieldTitle       = "title"
	fieldText        = "text"
	fieldLang        = "lang"
	fieldTagger      = "tagger"
	fieldPublishedAt = "published_at"
	fieldEntity      = "entity"
	fieldEntityType  = "entity_type"
	fieldEntityText  = "entity_text"
	fieldDateValue   = "date_value"
	fieldDate        = "date"
	fieldSource      = "_source"
)

// textAnalyzer is language-neutral: Unicode word boundaries and lower case,
// with no stemming and no stop words, because articles come in Indonesian,
// English and others, and a stop list for one language deletes real words of
// another.
const textAnalyzer = "warta_text"

// mappingVersion is stamped into a new index. Open refuses an index built with
// another version, since Bleve keeps the mapping an index was created with and
// would silently go on using the old one. Changes that old indexes can live
// with keep the version: an index created when the text field still had
// term vectors keeps them and searches the same, only writes more slowly.
//
// Version 2: documents ids of kinds of their own ("article <id>",
// "paragraph <id> <index>", "pending <id> <seq> <version> <index>"), the
// revision's article_seq on every document, held_at on pending documents.
const mappingVersion = "2"

// newMapping builds the index mapping. It is explicit and lean: nothing is
// mapped dynamically, nothing goes into the "_all" field, and each field keeps
// only what its queries need.
//
// Document ids have a kind of their own (see docs.go), so that no id of one
// kind can be an id of another, whatever the article id.
//
// Paragraph documents ("paragraph <article_id> <index>"):
//
//   - type, article_id, version: keywords, indexed and stored. Apply reads them
//     back (without loading _source) to work out which paragraphs of which
//     revision an article has.
//   - index, count, article_seq: numbers, stored only. Apply and Article read
//     them; no query filters on them, and a numeric field costs about a dozen
//     terms to index.
//   - title, text: text, indexed and stored, without term vectors. Search
//     highlights the query's words in the text by analysing the stored text
//     again (see highlight.go): term vectors would cost a fifth of the
//     indexing time and much of the index's size for that alone.
//   - lang, tagger, entity (canonical names), entity_type, date_value: keywords,
//     indexed for filtering, not stored. entity, entity_type and lang keep doc
//     values, which the facets need.
//   - entity_text: the entities' surface forms, analysed like text and not
//     stored, so a free-text search for "Moskow" finds the paragraph that says it.
//   - published_at: datetime with doc values, for from/to filters and for
//     sorting filter-only searches newest first.
//   - date: datetime, the start of each date the paragraph mentions, for the
//     mentioned_from/mentioned_to filters.
//   - _source: stored only, never indexed. It holds the paragraph event as JSON
//     minus its text and title (stored in their own fields already), so hits
//     return entities and dates as enrich produced them, offsets and all, with
//     the canonicals linked across the article once it is complete.
//
// Article documents ("article <article_id>") index type, article_id and
// version, store article_seq and count, and store the article's metadata and
// link table as JSON in _source. Pending documents hold a paragraph of a
// revision that is not complete yet; only type, article_id, version, index,
// count, article_seq, held_at (when it was written, indexed: stale ones are
// purged) and _source (the full event) are kept, so they never match a
// search.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	im.TypeField = fieldType
	im.DefaultAnalyzer = textAnalyzer
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultMapping.Enabled = false
	im.DefaultMapping.Dynamic = false
	err := im.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name},
	})
	if err != nil {
		return nil, err
	}

	keywordField := func(store, docValues bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{
			Type: "text", Analyzer: keyword.Name, Index: true, Store: store,
			DocValues: docValues, SkipFreqNorm: true,
		}
	}
	textField := func(store, termVectors bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{
			Type: "text", Analyzer: textAnalyzer, Index: true, Store: store,
			IncludeTermVectors: termVectors,
		}
	}
	storedNumber := func() *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "number", Store: true}
	}
	storedOnly := func() *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "text", Store: true}
	}
	datetimeField := func(docValues bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "datetime", Index: true, DocValues: docValues}
	}
	newDoc := func(fields map[string]*mapping.FieldMapping) *mapping.DocumentMapping {
		dm := mapping.NewDocumentStaticMapping()
		// No field goes into "_all"; disabling it also spares Bleve building
		// an empty composite field for every document.
		dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
		for name, fm := range fields {
			dm.AddFieldMappingsAt(name, fm)
		}
		return dm
	}

	im.AddDocumentMapping(typeParagraph, newDoc(map[string]*mapping.FieldMapping{
		fieldType:        keywordField(true, false),
		fieldArticleID:   keywordField(true, false),
		fieldVersion:     keywordField(true, false),
		fieldArticleSeq:  storedNumber(),
		fieldIndex:       storedNumber(),
		fieldCount:       storedNumber(),
		fieldTitle:       textField(true, false),
		fieldText:        textField(true, false),
		fieldLang:        keywordField(false, true),
		fieldTagger:      keywordField(false, false),
		fieldPublishedAt: datetimeField(true),
		fieldEntity:      keywordField(false, true),
		fieldEntityType:  keywordField(false, true),
		fieldEntityText:  textField(false, false),
		fieldDateValue:   keywordField(false, false),
		fieldDate:        datetimeField(false),
		fieldSource:      storedOnly(),
	}))
	im.AddDocumentMapping(typeArticle, newDoc(map[string]*mapping.FieldMapping{
		fieldType:       keywordField(true, false),
		fieldArticleID:  keywordField(true, false),
		fieldVersion:    keywordField(true, false),
		fieldArticleSeq: storedNumber(),
		fieldCount:      storedNumber(),
		fieldSource:     storedOnly(),
	}))
	im.AddDocumentMapping(typePending, newDoc(map[string]*mapping.FieldMapping{
		fieldType:       keywordField(true, false),
		fieldArticleID:  keywordField(true, false),
		fieldVersion:    keywordField(true, false),
		fieldArticleSeq: storedNumber(),
		fieldIndex:      storedNumber(),
		fieldCount:      storedNumber(),
		fieldHeldAt:     datetimeField(false),
		fieldSource:     storedOnly(),
	}))
	if err := im.Validate(); err != nil {
		return nil, err
	}
	return im, nil
}
