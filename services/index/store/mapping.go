package store

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/warta-news/warta/services/index/analysis"
)

// Document types, kept in the "type" field of every document.
const (
	typeParagraph = "paragraph" // a searchable paragraph of an article
	typeArticle   = "article"   // one per article whose current revision is complete
	typePending   = "pending"   // a paragraph of a revision waiting to complete
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
	fieldEntityAlias = "entity_alias"
	fieldDateValue   = "date_value"
	fieldDate        = "date"
	fieldSource      = "_source"

	// Fields of article documents only, with doc values. An article's
	// facets and its sort key are read from fields no paragraph has: doc
	// values are kept in chunks of about a thousand documents that have the
	// field, so a search that counts or sorts articles reads only article
	// documents' values, not those of every paragraph beside them (which
	// cost a search over the whole index most of its time).
	fieldArticleLang       = "article_lang"
	fieldArticleEntity     = "article_entity"
	fieldArticleEntityType = "article_entity_type"
	// fieldArticlePublished is the article's publication time (a time
	// key, see timeKey), which sorts articles.
	fieldArticlePublished = "article_published"
)

// articleField returns the name of field on an article document.
func articleField(field string) string {
	switch field {
	case fieldLang:
		return fieldArticleLang
	case fieldEntity:
		return fieldArticleEntity
	case fieldEntityType:
		return fieldArticleEntityType
	case fieldPublishedAt:
		return fieldArticlePublished
	}
	return field
}

// fieldOf returns the name of field on a document of type typ.
func fieldOf(typ, field string) string {
	if typ == typeArticle {
		return articleField(field)
	}
	return field
}

// wordsField returns the field that indexes the words of a text field
// ("text", "title") in the language analysis key ("en", "id"): as written
// and stemmed ("words_en", "title_words_id"), or, for "" (a language
// without an analysis), as written only ("words", "title_words").
func wordsField(field, key string) string {
	name := "words"
	if field != fieldText {
		name = field + "_words"
	}
	if key != "" {
		name += "_" + key
	}
	return name
}

// wordsKeys are the analysis keys of the words fields: "" (as written
// only) and every language's.
func wordsKeys() []string {
	keys := []string{""}
	for _, l := range analysis.Languages() {
		keys = append(keys, l.Key)
	}
	return keys
}

// textAnalyzer analyses the exact forms of words (see package analysis).
const textAnalyzer = analysis.Exact

// mappingVersion is stamped into a new index. Open migrates an index built
// with an earlier version (see migrate.go), since Bleve keeps the mapping
// an index was created with and would silently go on using the old one.
//
// Version 2: document ids of kinds of their own ("article <id>",
// "paragraph <id> <index>", "pending <id> <seq> <version> <index>"), the
// revision's article_seq on every document, held_at on pending documents.
//
// Version 3: words indexed with each language's stems beside them
// (words_<key>, title_words_<key>; the text stored only);
// titles, entities, dates and the language indexed on the article
// document, which search ranks and counts; canonical names searchable as
// words; the aliases of entities (entity_alias).
//
// Version 4: the article document's language, entities and entity types
// in fields of their own (article_lang, article_entity,
// article_entity_type), its publication time as a sortable keyword
// (article_published), so that counting and sorting articles reads only
// the article documents' doc values.
//
// Version 5: every time (published_at, article_published, date, held_at)
// a keyword of its time key (see timeKey), one term where a datetime
// indexed sixteen; the article document's publication time in
// article_published only; entity_text without the surface forms, which
// the words of the text hold already.
const mappingVersion = "5"

// newMapping builds the index mapping. It is explicit and lean: nothing is
// mapped dynamically, nothing goes into the "_all" field, and each field keeps
// only what its queries need. Document ids have a kind of their own (see
// docs.go), so that no id of one kind can be an id of another, whatever the
// article id.
//
// Paragraph documents ("paragraph <article_id> <index>"), what a search's
// words are found in:
//
//   - type, article_id, version: keywords, indexed and stored. Apply reads them
//     back (without loading _source) to work out which paragraphs of which
//     revision an article has.
//   - index, count, article_seq: numbers, stored only.
//   - text: stored only.
//   - words_<key>: the text's words as written and their stems beside them,
//     by its language's analysis (package analysis); "words" for a language
//     without one, as written only. Indexed, not stored, without term
//     vectors (they would cost a fifth of the indexing time): highlighting
//     and phrases find the words' places by analysing the stored text
//     again. One tokenizing pass makes both forms.
//   - title: stored only: a title is found, and scored once, on its article.
//   - lang, tagger, entity (canonical names), entity_type, date_value:
//     keywords, indexed for filtering, not stored; entity, entity_type and
//     lang keep doc values for facets.
//   - entity_text: the entities' canonical names that differ from what the
//     text says, analysed like text and not stored, so that q=Moscow finds
//     the paragraph that says "Moskow" (whose words have "moskow" already).
//   - published_at: the publication time's key (see timeKey), a keyword
//     with doc values; date: the key of the start of each date the
//     paragraph mentions.
//   - _source: stored only: the paragraph event minus its text and title,
//     with the canonicals linked across the article once it is complete.
//
// Article documents ("article <article_id>"), one per article with a
// complete revision, what a search ranks, filters and counts articles by:
// type, article_id, version (keywords), article_seq and count (stored);
// title_words and title_words_<key> (indexed); article_lang,
// article_entity, article_entity_type (keywords with doc values: the
// article-level filters and facets), article_published (the publication
// time's key, a keyword with doc values: the sort key, and the from/to
// filter), entity_alias (every surface
// form and canonical name, lower-cased, with its canonical name:
// "tiongkok\x1fChina", for entity filters as people type them),
// date (time keys, as on paragraphs), and _source (metadata, the entity
// summary and the link table, as JSON). Pending documents hold a paragraph
// of a revision that is not complete yet; only type, article_id, version,
// index, count, article_seq, held_at and _source are kept, so they never
// match a search.
func newMapping() (*mapping.IndexMappingImpl, error) {
	analysis.Register()
	im := bleve.NewIndexMapping()
	im.TypeField = fieldType
	im.DefaultAnalyzer = textAnalyzer
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultMapping.Enabled = false
	im.DefaultMapping.Dynamic = false
	if err := analysis.AddAnalyzers(im); err != nil {
		return nil, err
	}

	keywordField := func(store, docValues bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{
			Type: "text", Analyzer: keyword.Name, Index: true, Store: store,
			DocValues: docValues, SkipFreqNorm: true,
		}
	}
	textField := func(analyzer string, store bool) *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "text", Analyzer: analyzer, Index: true, Store: store}
	}
	storedNumber := func() *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "number", Store: true}
	}
	storedOnly := func() *mapping.FieldMapping {
		return &mapping.FieldMapping{Type: "text", Store: true}
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

	paragraph := map[string]*mapping.FieldMapping{
		fieldType:        keywordField(true, false),
		fieldArticleID:   keywordField(true, false),
		fieldVersion:     keywordField(true, false),
		fieldArticleSeq:  storedNumber(),
		fieldIndex:       storedNumber(),
		fieldCount:       storedNumber(),
		fieldTitle:       storedOnly(),
		fieldText:        storedOnly(),
		fieldLang:        keywordField(false, true),
		fieldTagger:      keywordField(false, false),
		fieldPublishedAt: keywordField(false, true),
		fieldEntity:      keywordField(false, true),
		fieldEntityType:  keywordField(false, true),
		fieldEntityText:  textField(textAnalyzer, false),
		fieldDateValue:   keywordField(false, false),
		fieldDate:        keywordField(false, false),
		fieldSource:      storedOnly(),
	}
	article := map[string]*mapping.FieldMapping{
		fieldType:              keywordField(true, false),
		fieldArticleID:         keywordField(true, false),
		fieldVersion:           keywordField(true, false),
		fieldArticleSeq:        storedNumber(),
		fieldCount:             storedNumber(),
		fieldArticleLang:       keywordField(false, true),
		fieldArticlePublished:  keywordField(false, true),
		fieldArticleEntity:     keywordField(false, true),
		fieldArticleEntityType: keywordField(false, true),
		fieldEntityAlias:       keywordField(false, false),
		fieldDateValue:         keywordField(false, false),
		fieldDate:              keywordField(false, false),
		fieldSource:            storedOnly(),
	}
	paragraph[wordsField(fieldText, "")] = textField(textAnalyzer, false)
	article[wordsField(fieldTitle, "")] = textField(textAnalyzer, false)
	for _, l := range analysis.Languages() {
		paragraph[wordsField(fieldText, l.Key)] = textField(l.Words(), false)
		article[wordsField(fieldTitle, l.Key)] = textField(l.Words(), false)
	}
	im.AddDocumentMapping(typeParagraph, newDoc(paragraph))
	im.AddDocumentMapping(typeArticle, newDoc(article))
	im.AddDocumentMapping(typePending, newDoc(map[string]*mapping.FieldMapping{
		fieldType:       keywordField(true, false),
		fieldArticleID:  keywordField(true, false),
		fieldVersion:    keywordField(true, false),
		fieldArticleSeq: storedNumber(),
		fieldIndex:      storedNumber(),
		fieldCount:      storedNumber(),
		fieldHeldAt:     keywordField(false, false),
		fieldSource:     storedOnly(),
	}))
	if err := im.Validate(); err != nil {
		return nil, err
	}
	return im, nil
}
