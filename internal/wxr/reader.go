// Package wxr reads WordPress export files (WXR: RSS 2.0 with the wp: namespace) as a
// stream, one author, category or post at a time, and imports them into the portal's
// database. Memory stays bounded by the largest single record, never by the file.
package wxr

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxRecordBytes bounds one record (a post with its comments, an author, a
// category): bigger means a broken or hostile file, not a newsroom's article.
const DefaultMaxRecordBytes = 64 << 20

// Namespaces of WXR. The wp namespace's version (1.0, 1.1, 1.2) changes with WordPress
// releases; the content namespace is fixed.
const (
	wpNamespacePrefix = "http://wordpress.org/export/"
	contentNamespace  = "http://purl.org/rss/1.0/modules/content/"
)

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
	ID          string `xml:"author_id"`
	Login       string `xml:"author_login"`
	DisplayName string `xml:"author_display_name"`
	FirstName   string `xml:"author_first_name"`
	LastName    string `xml:"author_last_name"`
}

// Category is a wp:category.
type Category struct {
	TermID      string `xml:"term_id"`
	Nicename    string `xml:"category_nicename"`
	Parent      string `xml:"category_parent"`
	Name        string `xml:"cat_name"`
	Description string `xml:"category_description"`
}

// Item is an RSS item: a post, page, attachment or menu entry, with its comments.
type Item struct {
	Title       string         `xml:"title"`
	Link        string         `xml:"link"`
	Creator     string         `xml:"creator"`
	Encoded     []nsText       `xml:"encoded"` // content:encoded and excerpt:encoded
	PostID      string         `xml:"post_id"`
	PostDate    string         `xml:"post_date"`
	PostDateGMT string         `xml:"post_date_gmt"`
	Modified    string         `xml:"post_modified"`
	ModifiedGMT string         `xml:"post_modified_gmt"`
	PostName    string         `xml:"post_name"`
	Status      string         `xml:"status"`
	PostType    string         `xml:"post_type"`
	Categories  []ItemCategory `xml:"category"`
	Comments    []Comment      `xml:"comment"`
	Line        int            `xml:"-"` // where the item starts, for messages
}

type nsText struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

// Content is the post's body (content:encoded).
func (it *Item) Content() string {
	for _, e := range it.Encoded {
		if e.XMLName.Space == contentNamespace {
			return e.Text
		}
	}
	return ""
}

// Excerpt is the post's excerpt (excerpt:encoded), the lead.
func (it *Item) Excerpt() string {
	for _, e := range it.Encoded {
		if strings.HasPrefix(e.XMLName.Space, wpNamespacePrefix) && strings.HasSuffix(e.XMLName.Space, "/excerpt/") {
			return e.Text
		}
	}
	return ""
}

// ItemCategory is a category or tag attached to an item.
type ItemCategory struct {
	Domain   string `xml:"domain,attr"`
	Nicename string `xml:"nicename,attr"`
	Name     string `xml:",chardata"`
}

// Comment is a wp:comment.
type Comment struct {
	ID       string `xml:"comment_id"`
	Author   string `xml:"comment_author"`
	IP       string `xml:"comment_author_IP"`
	Date     string `xml:"comment_date"`
	DateGMT  string `xml:"comment_date_gmt"`
	Content  string `xml:"comment_content"`
	Approved string `xml:"comment_approved"` // 1, 0, spam, trash, post-trashed
	Type     string `xml:"comment_type"`     // "", comment, pingback, trackback
	Parent   string `xml:"comment_parent"`
}

// Record is one thing read from the file: exactly one of the fields is set.
type Record struct {
	Author   *Author
	Category *Category
	Item     *Item
}

// recordLimiter counts the bytes read since the current record began and fails the read
// past the limit, so a huge attribute or text never has to fit in memory whole.
type recordLimiter struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
}

var errRecordTooLarge = errors.New("wxr: record too large")

func (l *recordLimiter) Read(p []byte) (int, error) {
	if l.n >= l.max {
		l.over = true
		return 0, errRecordTooLarge
	}
	if rest := l.max - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// Reader reads records from a WXR stream.
type Reader struct {
	dec       *xml.Decoder
	lim       *recordLimiter
	tokLine   int // line where the current token starts
	inRSS     bool
	inChannel bool
	done      bool
}

// NewReader reads WXR from r; maxRecord bounds one record's bytes (0: the default).
func NewReader(r io.Reader, maxRecord int64) *Reader {
	if maxRecord <= 0 {
		maxRecord = DefaultMaxRecordBytes
	}
	lim := &recordLimiter{r: r, max: maxRecord}
	dec := xml.NewDecoder(bufio.NewReaderSize(lim, 64<<10))
	dec.Strict = true // unknown entities and broken nesting are errors, not guesses
	// CharsetReader stays nil: WXR is UTF-8, and another declared encoding is an error.
	return &Reader{dec: dec, lim: lim}
}

// Next returns the next record, io.EOF after the last one, or an *Error.
func (r *Reader) Next() (Record, error) {
	for {
		r.lim.n = 0
		r.tokLine = r.line()
		tok, err := r.dec.Token()
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
			return Record{}, false, r.fail("<rss> does not declare the WordPress export namespace ("+wpNamespacePrefix+"1.x/): this is an RSS feed, not a WordPress export", nil)
		}
		r.inRSS = true
		return Record{}, false, nil
	case !r.inChannel:
		if t.Name.Local != "channel" {
			return Record{}, false, r.skip(t)
		}
		r.inChannel = true
		return Record{}, false, nil
	}
	line := r.tokLine
	switch {
	case t.Name.Local == "item" && t.Name.Space == "":
		var it Item
		if err := r.dec.DecodeElement(&it, &t); err != nil {
			return Record{}, false, r.describe(err)
		}
		it.Line = line
		return Record{Item: &it}, true, nil
	case t.Name.Local == "author" && strings.HasPrefix(t.Name.Space, wpNamespacePrefix):
		var a Author
		if err := r.dec.DecodeElement(&a, &t); err != nil {
			return Record{}, false, r.describe(err)
		}
		return Record{Author: &a}, true, nil
	case t.Name.Local == "category" && strings.HasPrefix(t.Name.Space, wpNamespacePrefix):
		var c Category
		if err := r.dec.DecodeElement(&c, &t); err != nil {
			return Record{}, false, r.describe(err)
		}
		return Record{Category: &c}, true, nil
	}
	// Site title, tags, terms, generator...: not needed, skipped as a stream.
	return Record{}, false, r.skip(t)
}

func (r *Reader) skip(t xml.StartElement) error {
	if err := r.dec.Skip(); err != nil {
		return r.describe(err)
	}
	return nil
}

func hasWPNamespace(t xml.StartElement) bool {
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" && strings.HasPrefix(a.Value, wpNamespacePrefix) {
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
	switch {
	case r.lim.over || errors.Is(err, errRecordTooLarge):
		return &Error{Line: r.line(), Err: err, Msg: fmt.Sprintf(
			"one element is larger than %d MiB (a huge attribute or text): the file is broken or hostile", r.lim.max>>20)}
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
