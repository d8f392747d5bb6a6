// Package wxr reads WordPress export files (WXR: RSS 2.0 with the wp: namespace) as a
// stream, one author, category, tag or post at a time, and imports them into the portal's
// database. Memory stays bounded by the largest single record, never by the file, and
// each element is bounded too (depth, attributes, bytes of one tag).
package wxr

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// DefaultMaxRecordBytes bounds one record (a post with its comments, an author, a
// category), counting its bytes and a fixed cost per element: bigger means a broken or
// hostile file, not a newsroom's article.
const DefaultMaxRecordBytes = 64 << 20

// Bounds of one element, far above anything WordPress writes (its deepest element,
// wp:commentmeta's wp:meta_value, is 5 levels down; <rss> has about 8 attributes).
const (
	maxDepth      = 64
	maxAttrs      = 256
	maxTagBytes   = 64 << 10
	elementCost   = 128 // bytes of memory counted against the record for each element
	maxVersionLen = 16
)

// Namespaces of WXR. WordPress writes http://wordpress.org/export/1.0/ … 1.2/, and its
// current theme test data uses https://; the excerpt namespace follows the same pattern.
// An element counts only in one of these namespaces: a file cannot pass off its own
// elements as WordPress's by rebinding the wp: prefix.
const (
	contentNamespace = "http://purl.org/rss/1.0/modules/content/"
	dcNamespace      = "http://purl.org/dc/elements/1.1/"
)

var (
	wpNamespace      = regexp.MustCompile(`^https?://wordpress\.org/export/1\.[0-2]/$`)
	excerptNamespace = regexp.MustCompile(`^https?://wordpress\.org/export/1\.[0-2]/excerpt/$`)
	// wxrVersion is what WordPress's importer accepts in wp:wxr_version.
	wxrVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
)

func isWP(n xml.Name, local string) bool { return n.Local == local && wpNamespace.MatchString(n.Space) }

// Error is a problem with the file itself, with the line where it was found.
type Error struct {
	Line int
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Author is a wp:author.
type Author struct {
	ID, Login, DisplayName, FirstName, LastName string
	Line                                        int
}

// Category is a wp:category.
type Category struct {
	TermID, Nicename, Parent, Name, Description string
}

// Tag is a wp:tag.
type Tag struct {
	TermID, Slug, Name, Description string
}

// Item is an RSS item: a post, page, attachment or menu entry, with its comments.
type Item struct {
	Title, Link, Creator                     string
	ContentText, ExcerptText                 string // content:encoded, excerpt:encoded
	PostID, PostDate, PostDateGMT            string
	Modified, ModifiedGMT, PostName          string
	Status, PostType, Password, Sticky       string
	CommentStatus, PostParent, AttachmentURL string
	Categories                               []*ItemCategory
	Meta                                     []*Meta
	Comments                                 []*Comment
	Line                                     int // where the item starts, for messages
}

// Content is the post's body (content:encoded).
func (it *Item) Content() string { return it.ContentText }

// Excerpt is the post's excerpt (excerpt:encoded), the lead.
func (it *Item) Excerpt() string { return it.ExcerptText }

// MetaValue is the value of the post meta key, "" when absent.
func (it *Item) MetaValue(key string) string {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

// Meta is a wp:postmeta.
type Meta struct{ Key, Value string }

// ItemCategory is a category or tag attached to an item.
type ItemCategory struct {
	Domain, Nicename, Name string
}

// Comment is a wp:comment.
type Comment struct {
	ID, Author, IP, Date, DateGMT, Content string
	Approved                               string // 1, 0, spam, trash, post-trashed; "" when absent
	Type                                   string // "", comment, pingback, trackback
	Parent                                 string
}

// Record is one thing read from the file: exactly one of the fields is set.
type Record struct {
	Author   *Author
	Category *Category
	Tag      *Tag
	Item     *Item
}

// guard sits between the file and the XML decoder. It counts the bytes of the current
// record and, with a small lexer of its own, the bytes and attributes of each tag, so a
// tag of a million attributes is refused before encoding/xml allocates them all. It also
// counts lines, for messages about where it stopped.
type guard struct {
	r       io.Reader
	n, max  int64 // bytes of the current record, and its bound
	line    int
	state   int
	quote   byte
	tagLen  int
	attrs   int
	pending []byte // what followed "<!" while deciding comment, CDATA or declaration
	last    [2]byte
	err     *Error
}

const (
	lexText = iota
	lexOpen // just after "<"
	lexTag
	lexBang
	lexComment
	lexCDATA
	lexPI
)

var errRecordTooLarge = errors.New("wxr: record too large")

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.n >= g.max {
		g.err = &Error{Line: g.line, Err: errRecordTooLarge, Msg: fmt.Sprintf(
			"one element is larger than %d MiB (a huge attribute or text): the file is broken or hostile", g.max>>20)}
		return 0, g.err
	}
	if rest := g.max - g.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	for i := 0; i < n; i++ {
		if e := g.lex(p[i]); e != nil {
			g.err = e
			return i, nil // the decoder gets what came before, then the error
		}
	}
	return n, err
}

// lex follows one byte through the markup; an error when a tag is over its bounds.
func (g *guard) lex(c byte) *Error {
	if c == '\n' {
		g.line++
	}
	switch g.state {
	case lexText:
		if c == '<' {
			g.state = lexOpen
		}
	case lexOpen:
		switch c {
		case '!':
			g.state, g.pending = lexBang, g.pending[:0]
		case '?':
			g.state = lexPI
		default:
			g.state, g.tagLen, g.attrs, g.quote = lexTag, 1, 0, 0
		}
	case lexTag:
		g.tagLen++
		switch {
		case g.quote != 0:
			if c == g.quote {
				g.quote = 0
			}
		case c == '"' || c == '\'':
			g.quote = c
		case c == '=':
			g.attrs++
			if g.attrs > maxAttrs {
				return &Error{Line: g.line, Msg: fmt.Sprintf("an element has more than %d attributes: the file is broken or hostile", maxAttrs)}
			}
		case c == '>':
			g.state = lexText
		}
		if g.tagLen > maxTagBytes {
			return &Error{Line: g.line, Msg: fmt.Sprintf("a tag is longer than %d KiB: the file is broken or hostile", maxTagBytes>>10)}
		}
	case lexBang:
		g.pending = append(g.pending, c)
		switch s := string(g.pending); {
		case s == "--":
			g.state = lexComment
		case s == "[CDATA[":
			g.state = lexCDATA
		case strings.HasPrefix("--", s) || strings.HasPrefix("[CDATA[", s):
		default:
			g.state, g.tagLen, g.attrs, g.quote = lexTag, len(s)+2, 0, 0 // a declaration: the decoder refuses it
		}
		g.last = [2]byte{}
	case lexComment:
		if c == '>' && g.last == [2]byte{'-', '-'} {
			g.state = lexText
		}
	case lexCDATA:
		if c == '>' && g.last == [2]byte{']', ']'} {
			g.state = lexText
		}
	case lexPI:
		if c == '>' && g.last[1] == '?' {
			g.state = lexText
		}
	}
	g.last[0], g.last[1] = g.last[1], c
	return nil
}

// Reader reads records from a WXR stream.
type Reader struct {
	dec       *xml.Decoder
	g         *guard
	tokLine   int // line where the current token starts
	depth     int // open elements
	inRSS     bool
	inChannel bool
	done      bool
	// Version is wp:wxr_version, "" until read; BaseSiteURL and BaseBlogURL are the old
	// site's addresses (wp:base_site_url, wp:base_blog_url).
	Version, BaseSiteURL, BaseBlogURL string
}

// NewReader reads WXR from r; maxRecord bounds one record (0: the default).
func NewReader(r io.Reader, maxRecord int64) *Reader {
	if maxRecord <= 0 {
		maxRecord = DefaultMaxRecordBytes
	}
	g := &guard{r: r, max: maxRecord, line: 1}
	dec := xml.NewDecoder(bufio.NewReaderSize(g, 64<<10))
	dec.Strict = true // unknown entities and broken nesting are errors, not guesses
	// CharsetReader stays nil: WXR is UTF-8, and another declared encoding is an error.
	return &Reader{dec: dec, g: g}
}

// token reads the next token, keeping the depth and refusing nesting past maxDepth.
func (r *Reader) token() (xml.Token, error) {
	r.tokLine = r.line()
	tok, err := r.dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		r.depth++
		if r.depth > maxDepth {
			return nil, r.fail(fmt.Sprintf("elements are nested more than %d deep: the file is broken or hostile", maxDepth), nil)
		}
	case xml.EndElement:
		r.depth--
	}
	return tok, nil
}

// Next returns the next record, io.EOF after the last one, or an *Error.
func (r *Reader) Next() (Record, error) {
	for {
		r.g.n = 0
		tok, err := r.token()
		if err != nil {
			if err == io.EOF {
				if !r.done {
					return Record{}, r.fail("the file ends before </rss>: it is empty or truncated", nil)
				}
				return Record{}, io.EOF
			}
			return Record{}, r.describe(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DTD is where entity expansion ("billion laughs") hides; WXR never has one.
			return Record{}, r.fail("DOCTYPE or other <!...> declarations are not allowed in a WordPress export (possible entity expansion attack)", nil)
		case xml.StartElement:
			rec, ok, err := r.start(t)
			if err != nil || ok {
				return rec, err
			}
		case xml.EndElement:
			switch {
			case t.Name.Local == "channel" && r.inChannel:
				r.inChannel = false
			case t.Name.Local == "rss" && r.inRSS:
				r.inRSS, r.done = false, true
				if r.Version == "" {
					// As WordPress's importer: no version, no import.
					return Record{}, &Error{Msg: "this does not appear to be a WordPress export: wp:wxr_version is missing"}
				}
			}
		case xml.CharData:
			if !r.inRSS && strings.TrimSpace(string(t)) != "" {
				return Record{}, r.fail("text outside the <rss> element: this is not a WordPress export", nil)
			}
		}
	}
}

// start handles a start tag; ok reports that a record was decoded.
func (r *Reader) start(t xml.StartElement) (Record, bool, error) {
	switch {
	case r.done:
		return Record{}, false, r.fail("content after </rss>", nil)
	case !r.inRSS:
		if t.Name.Local != "rss" {
			return Record{}, false, r.fail(fmt.Sprintf("the root element is <%s>, not <rss>: this is not a WordPress export (WXR)", t.Name.Local), nil)
		}
		if !hasWPNamespace(t) {
			return Record{}, false, r.fail("<rss> does not declare the WordPress export namespace (http(s)://wordpress.org/export/1.x/): this is an RSS feed, not a WordPress export", nil)
		}
		r.inRSS = true
		return Record{}, false, nil
	case !r.inChannel:
		if t.Name.Local != "channel" {
			return Record{}, false, r.walk(nil)
		}
		r.inChannel = true
		return Record{}, false, nil
	}
	line := r.tokLine
	n := t.Name
	switch {
	case n.Local == "item" && n.Space == "":
		it := &Item{Line: line}
		return Record{Item: it}, true, r.walk(it.field)
	case isWP(n, "author"):
		a := &Author{Line: line}
		return Record{Author: a}, true, r.walk(a.field)
	case isWP(n, "category"):
		c := &Category{}
		return Record{Category: c}, true, r.walk(c.field)
	case isWP(n, "tag"):
		tg := &Tag{}
		return Record{Tag: tg}, true, r.walk(tg.field)
	case isWP(n, "wxr_version"), isWP(n, "base_site_url"), isWP(n, "base_blog_url"):
		var s string
		err := r.walk(func(path []xml.Name, _ []xml.Attr) *string {
			if len(path) == 0 {
				return &s
			}
			return nil
		})
		if err != nil {
			return Record{}, false, err
		}
		s = strings.TrimSpace(s)
		switch n.Local {
		case "wxr_version":
			if !wxrVersion.MatchString(s) || len(s) > maxVersionLen {
				return Record{}, false, &Error{Line: line, Msg: fmt.Sprintf("this does not appear to be a WordPress export: wp:wxr_version %q is not a version number", s)}
			}
			r.Version = s
		case "base_site_url":
			r.BaseSiteURL = s
		default:
			r.BaseBlogURL = s
		}
		return Record{}, false, nil
	}
	// Site title, terms, generator...: not needed, read past as a stream.
	return Record{}, false, r.walk(nil)
}

// walk reads the element just opened to its end. For every element (the opened one has
// an empty path, its children a path of one name, and so on) field says where its text
// goes, or nil to drop it; a field is emptied when its element opens, so when an element
// is repeated the last one counts. Each element and each byte of kept text is counted
// against the record's bound.
func (r *Reader) walk(field func(path []xml.Name, attr []xml.Attr) *string) error {
	var path []xml.Name
	var dsts []*string
	var cur *string
	// Text is gathered in builders and stored at the end: text broken by many comments
	// or child elements must not be copied again for every piece.
	texts := map[*string]*strings.Builder{}
	open := func(dst *string) *string {
		if dst != nil {
			if b := texts[dst]; b != nil {
				b.Reset()
			} else {
				texts[dst] = &strings.Builder{}
			}
		}
		return dst
	}
	if field != nil {
		cur = open(field(nil, nil))
	}
	base := r.depth
	for {
		tok, err := r.token()
		if err != nil {
			return r.describe(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			r.g.n += elementCost
			dsts = append(dsts, cur)
			path = append(path, t.Name)
			cur = nil
			if field != nil {
				cur = open(field(path, t.Attr))
			}
		case xml.EndElement:
			if r.depth < base {
				for dst, b := range texts {
					*dst = b.String()
				}
				return nil
			}
			path = path[:len(path)-1]
			cur = dsts[len(dsts)-1]
			dsts = dsts[:len(dsts)-1]
		case xml.CharData:
			if cur != nil {
				texts[cur].Write(t)
				r.g.n += int64(len(t))
			}
		case xml.Directive:
			return r.fail("DOCTYPE or other <!...> declarations are not allowed in a WordPress export (possible entity expansion attack)", nil)
		}
		if r.g.n > r.g.max {
			return &Error{Line: r.line(), Err: errRecordTooLarge, Msg: fmt.Sprintf(
				"one record needs more than %d MiB (too many elements or too much text): the file is broken or hostile", r.g.max>>20)}
		}
	}
}

// field says where the text of an item's element goes.
func (it *Item) field(path []xml.Name, attr []xml.Attr) *string {
	switch len(path) {
	case 1:
		n := path[0]
		switch {
		case n.Space == "" && n.Local == "title":
			return &it.Title
		case n.Space == "" && n.Local == "link":
			return &it.Link
		case n.Space == "" && n.Local == "category":
			c := &ItemCategory{}
			for _, a := range attr {
				switch {
				case a.Name.Space == "" && a.Name.Local == "domain":
					c.Domain = a.Value
				case a.Name.Space == "" && a.Name.Local == "nicename":
					c.Nicename = a.Value
				}
			}
			it.Categories = append(it.Categories, c)
			return &c.Name
		case n.Space == dcNamespace && n.Local == "creator":
			return &it.Creator
		case n.Space == contentNamespace && n.Local == "encoded":
			return &it.ContentText
		case excerptNamespace.MatchString(n.Space) && n.Local == "encoded":
			return &it.ExcerptText
		case !wpNamespace.MatchString(n.Space):
			return nil
		}
		switch n.Local {
		case "post_id":
			return &it.PostID
		case "post_date":
			return &it.PostDate
		case "post_date_gmt":
			return &it.PostDateGMT
		case "post_modified":
			return &it.Modified
		case "post_modified_gmt":
			return &it.ModifiedGMT
		case "post_name":
			return &it.PostName
		case "status":
			return &it.Status
		case "post_type":
			return &it.PostType
		case "post_password":
			return &it.Password
		case "is_sticky":
			return &it.Sticky
		case "comment_status":
			return &it.CommentStatus
		case "post_parent":
			return &it.PostParent
		case "attachment_url":
			return &it.AttachmentURL
		case "postmeta":
			it.Meta = append(it.Meta, &Meta{})
		case "comment":
			it.Comments = append(it.Comments, &Comment{})
		}
	case 2:
		parent, n := path[0], path[1]
		if !wpNamespace.MatchString(n.Space) {
			return nil
		}
		switch {
		case isWP(parent, "postmeta"):
			m := it.Meta[len(it.Meta)-1]
			switch n.Local {
			case "meta_key":
				return &m.Key
			case "meta_value":
				return &m.Value
			}
		case isWP(parent, "comment"):
			return it.Comments[len(it.Comments)-1].field(n.Local)
		}
	}
	return nil
}

func (c *Comment) field(local string) *string {
	switch local {
	case "comment_id":
		return &c.ID
	case "comment_author":
		return &c.Author
	case "comment_author_IP":
		return &c.IP
	case "comment_date":
		return &c.Date
	case "comment_date_gmt":
		return &c.DateGMT
	case "comment_content":
		return &c.Content
	case "comment_approved":
		return &c.Approved
	case "comment_type":
		return &c.Type
	case "comment_parent":
		return &c.Parent
	}
	return nil
}

func (a *Author) field(path []xml.Name, _ []xml.Attr) *string {
	if len(path) != 1 || !wpNamespace.MatchString(path[0].Space) {
		return nil
	}
	switch path[0].Local {
	case "author_id":
		return &a.ID
	case "author_login":
		return &a.Login
	case "author_display_name":
		return &a.DisplayName
	case "author_first_name":
		return &a.FirstName
	case "author_last_name":
		return &a.LastName
	}
	return nil
}

func (c *Category) field(path []xml.Name, _ []xml.Attr) *string {
	if len(path) != 1 || !wpNamespace.MatchString(path[0].Space) {
		return nil
	}
	switch path[0].Local {
	case "term_id":
		return &c.TermID
	case "category_nicename":
		return &c.Nicename
	case "category_parent":
		return &c.Parent
	case "cat_name":
		return &c.Name
	case "category_description":
		return &c.Description
	}
	return nil
}

func (t *Tag) field(path []xml.Name, _ []xml.Attr) *string {
	if len(path) != 1 || !wpNamespace.MatchString(path[0].Space) {
		return nil
	}
	switch path[0].Local {
	case "term_id":
		return &t.TermID
	case "tag_slug":
		return &t.Slug
	case "tag_name":
		return &t.Name
	case "tag_description":
		return &t.Description
	}
	return nil
}

func hasWPNamespace(t xml.StartElement) bool {
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" && wpNamespace.MatchString(a.Value) {
			return true
		}
	}
	return false
}

func (r *Reader) line() int {
	line, _ := r.dec.InputPos()
	return line
}

// fail reports a problem with the token just read, at the line where it starts.
func (r *Reader) fail(msg string, err error) error {
	return &Error{Line: r.tokLine, Msg: msg, Err: err}
}

// describe turns decoder errors into an *Error with a line number and plain words.
func (r *Reader) describe(err error) error {
	var syn *xml.SyntaxError
	var own *Error
	switch {
	case errors.As(err, &own):
		return own
	case r.g.err != nil:
		return r.g.err
	case errors.As(err, &syn):
		msg := syn.Msg
		if msg == "unexpected EOF" {
			msg = "the file ends in the middle of an element: it is truncated"
		} else if strings.Contains(msg, "entity") {
			msg += " (undeclared entities are not expanded)"
		} else if strings.Contains(msg, "CharsetReader") || strings.Contains(msg, "encoding") {
			msg += " (a WordPress export must be UTF-8)"
		}
		return &Error{Line: syn.Line, Msg: "not well-formed XML: " + msg, Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Line: r.line(), Msg: "the file ends in the middle of an element: it is truncated", Err: err}
	}
	return &Error{Line: r.line(), Msg: "reading the file: " + err.Error(), Err: err}
}
