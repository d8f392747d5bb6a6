package wxr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"toasoan/db"
	"toasoan/internal/sanitize"
	"toasoan/internal/vntext"
)

// Options tune an import.
type Options struct {
	Location       *time.Location // zone of WordPress's local dates when a GMT date is missing
	MaxRecordBytes int64          // 0: DefaultMaxRecordBytes
	BatchSize      int            // items per transaction; 0: 200
	// Progress is called after each item with the items done and the total.
	Progress func(done, total int)
}

// Summary is what the validating first pass found in the file.
type Summary struct {
	Authors, Categories, Items, Posts, Comments int
}

// Counts is what an import did.
type Counts struct {
	Authors, Sections, Articles, Comments int // created
	AlreadyThere                          int // posts and comments of an earlier run, skipped
	SkippedItems                          int // pages, attachments, menu entries, trashed posts
	SkippedComments                       int // spam, trash, pingbacks, empty
}

// Scan reads the whole file once without touching the database: it proves the file is a
// well-formed WordPress export (so an import never stops half-way on a bad file) and
// counts what is in it, for the progress bar.
func Scan(r io.Reader, maxRecord int64) (Summary, error) {
	var s Summary
	rd := NewReader(r, maxRecord)
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		switch {
		case rec.Author != nil:
			s.Authors++
		case rec.Category != nil:
			s.Categories++
		case rec.Item != nil:
			s.Items++
			if rec.Item.PostType == "post" {
				s.Posts++
				s.Comments += len(rec.Item.Comments)
			}
		}
	}
}

// ImportFile imports the WXR file at path into d in two passes: Scan first (a bad file
// changes nothing), then the records in transactions of BatchSize items. WordPress ids
// are recorded with the rows, so running it again — after success, or after a crash
// half-way — adds only what is missing.
func ImportFile(ctx context.Context, d *db.DB, path string, opts Options) (Summary, Counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, Counts{}, err
	}
	defer f.Close()
	sum, err := Scan(f, opts.MaxRecordBytes)
	if err != nil {
		return sum, Counts{}, err
	}
	if sum.Items == 0 && sum.Categories == 0 && sum.Authors == 0 {
		return sum, Counts{}, &Error{Msg: "the export holds no posts, categories or authors"}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return sum, Counts{}, err
	}
	im := &importer{opts: opts, authors: map[string]author{}, sections: map[string]int64{}}
	if im.opts.Location == nil {
		im.opts.Location = time.UTC
	}
	if im.opts.BatchSize <= 0 {
		im.opts.BatchSize = 200
	}
	rd := NewReader(f, opts.MaxRecordBytes)
	done, eof := 0, false
	for !eof {
		err := d.InBulk(ctx, func(b *db.Bulk) error {
			for n := 0; n < im.opts.BatchSize; {
				if err := ctx.Err(); err != nil {
					return err
				}
				rec, err := rd.Next()
				if err == io.EOF {
					eof = true
					return nil
				}
				if err != nil {
					return err // the file changed since Scan
				}
				if err := im.apply(b, rec); err != nil {
					return err
				}
				if rec.Item != nil {
					n++
					done++
					if opts.Progress != nil {
						opts.Progress(done, sum.Items)
					}
				}
			}
			return nil
		})
		if err != nil {
			return sum, im.counts, err
		}
	}
	return sum, im.counts, nil
}

type author struct {
	id     int64
	byline string
}

// importer maps WordPress records to the portal's rows inside the current batch.
type importer struct {
	opts     Options
	counts   Counts
	authors  map[string]author // by login
	sections map[string]int64  // by category nicename
	fallback int64             // "Chưa phân loại", for posts with no category
}

func (im *importer) apply(b *db.Bulk, rec Record) error {
	switch {
	case rec.Author != nil:
		return im.author(b, rec.Author)
	case rec.Category != nil:
		_, err := im.category(b, rec.Category.TermID, rec.Category.Nicename, rec.Category.Name, rec.Category.Description)
		return err
	case rec.Item != nil:
		if err := im.item(b, rec.Item); err != nil {
			return &Error{Line: rec.Item.Line, Msg: fmt.Sprintf("post %s: %v", rec.Item.PostID, err), Err: err}
		}
	}
	return nil
}

func (im *importer) author(b *db.Bulk, a *Author) error {
	login := clean(a.Login)
	if login == "" {
		return nil
	}
	byline := clean(a.DisplayName)
	if byline == "" {
		byline = strings.TrimSpace(clean(a.FirstName) + " " + clean(a.LastName))
	}
	if byline == "" {
		byline = login
	}
	id, ok, err := b.WordPressID(db.WPAuthor, login)
	if err != nil {
		return err
	}
	if !ok {
		if id, _, err = b.AddImportedUser(login, byline); err != nil {
			return err
		}
		if err := b.SetWordPressID(db.WPAuthor, login, id); err != nil {
			return err
		}
		im.counts.Authors++
	}
	im.authors[login] = author{id: id, byline: byline}
	return nil
}

// category maps a WordPress category to a section: the one imported before, else an
// existing section with the same slug, else a new one.
func (im *importer) category(b *db.Bulk, termID, nicename, name, description string) (int64, error) {
	nicename = decodeName(nicename)
	if nicename == "" {
		nicename = vntext.Slug(name)
	}
	key := termID
	if key == "" {
		key = "slug:" + nicename
	}
	if id, ok := im.sections[nicename]; ok && nicename != "" {
		return id, nil
	}
	id, ok, err := b.WordPressID(db.WPCategory, key)
	if err != nil {
		return 0, err
	}
	if !ok {
		name = clean(name)
		if name == "" {
			name = nicename
		}
		slug := vntext.SlugOr(nicename, vntext.SlugOr(name, "chuyen-muc-"+termID))
		if id, ok, err = b.CategoryIDBySlug(slug); err != nil {
			return 0, err
		}
		if !ok {
			pos, err := b.NextCategoryPosition()
			if err != nil {
				return 0, err
			}
			if id, err = b.AddCategory(db.Category{Slug: slug, Name: name, Description: sanitize.PlainText(description), Position: pos}); err != nil {
				return 0, err
			}
			im.counts.Sections++
		}
		if err := b.SetWordPressID(db.WPCategory, key, id); err != nil {
			return 0, err
		}
	}
	if nicename != "" {
		im.sections[nicename] = id
	}
	return id, nil
}

// postStatus maps WordPress statuses; "" means the post is not imported.
var postStatus = map[string]string{
	"publish": db.StatusPublished,
	"future":  db.StatusPublished, // published with a publish time to come: scheduled
	"draft":   db.StatusDraft,
	"pending": db.StatusReview,
	"private": db.StatusDraft, // never public here either
}

func (im *importer) item(b *db.Bulk, it *Item) error {
	status := postStatus[strings.TrimSpace(it.Status)]
	if strings.TrimSpace(it.PostType) != "post" || status == "" {
		im.counts.SkippedItems++
		return nil
	}
	wpID := strings.TrimSpace(it.PostID)
	if _, err := strconv.ParseInt(wpID, 10, 64); err != nil {
		return fmt.Errorf("wp:post_id %q is not a number", wpID)
	}
	articleID, seen, err := b.WordPressID(db.WPPost, wpID)
	if err != nil {
		return err
	}
	if seen {
		im.counts.AlreadyThere++
	} else if articleID, err = im.newArticle(b, it, wpID, status); err != nil {
		return err
	}
	return im.comments(b, it, articleID)
}

func (im *importer) newArticle(b *db.Bulk, it *Item, wpID, status string) (int64, error) {
	loc := im.opts.Location
	publish := parseDate(it.PostDateGMT, time.UTC)
	local := parseDate(it.PostDate, loc)
	if publish.IsZero() {
		publish = local // drafts have no GMT date in WXR
	}
	if publish.IsZero() {
		publish = b.Now()
	}
	modified := parseDate(it.ModifiedGMT, time.UTC)
	if modified.IsZero() {
		modified = parseDate(it.Modified, loc)
	}
	if modified.Before(publish) {
		modified = publish
	}
	title := sanitize.Title(it.Title)
	if title == "" {
		title = "(Không có tiêu đề)"
	}
	postName := decodeName(it.PostName)
	var categoryID int64
	for _, c := range it.Categories {
		if c.Domain != "category" {
			continue // tags are not sections
		}
		id, err := im.category(b, "", c.Nicename, c.Name, "")
		if err != nil {
			return 0, err
		}
		categoryID = id
		break
	}
	if categoryID == 0 {
		id, err := im.fallbackSection(b)
		if err != nil {
			return 0, err
		}
		categoryID = id
	}
	login := clean(it.Creator)
	a, ok := im.authors[login]
	if !ok && login != "" {
		// A byline without a wp:author entry (older exports): create the author too.
		if err := im.author(b, &Author{Login: login}); err != nil {
			return 0, err
		}
		a = im.authors[login]
	}
	art := db.Article{
		Slug:       vntext.SlugOr(postName, vntext.SlugOr(title, "bai-viet-"+wpID)),
		Title:      title,
		Lead:       sanitize.PlainText(it.Excerpt()),
		BodyHTML:   sanitize.ArticleHTML(autop(it.Content())),
		Byline:     a.byline,
		CategoryID: categoryID,
		AuthorID:   a.id,
		Status:     status,
		CreatedAt:  publish,
		UpdatedAt:  modified,
	}
	if status == db.StatusPublished {
		art.PublishAt = publish
	}
	id, err := b.AddArticle(art)
	if err != nil {
		return 0, err
	}
	if err := b.SetWordPressID(db.WPPost, wpID, id); err != nil {
		return 0, err
	}
	if postName != "" && !local.IsZero() {
		if err := b.AddWordPressPermalink(local.Year(), int(local.Month()), postName, id); err != nil {
			return 0, err
		}
	}
	im.counts.Articles++
	return id, nil
}

func (im *importer) fallbackSection(b *db.Bulk) (int64, error) {
	if im.fallback != 0 {
		return im.fallback, nil
	}
	id, err := im.category(b, "", "chua-phan-loai", "Chưa phân loại", "")
	im.fallback = id
	return id, err
}

// commentStatus maps wp:comment_approved; anything else (spam, trash, post-trashed) is skipped.
var commentStatus = map[string]string{"1": db.CommentApproved, "0": db.CommentPending}

func (im *importer) comments(b *db.Bulk, it *Item, articleID int64) error {
	for _, c := range it.Comments {
		status := commentStatus[strings.TrimSpace(c.Approved)]
		typ := strings.TrimSpace(c.Type)
		body := sanitize.PlainText(c.Content)
		wpID := strings.TrimSpace(c.ID)
		if status == "" || (typ != "" && typ != "comment") || body == "" || wpID == "" {
			im.counts.SkippedComments++
			continue
		}
		if _, seen, err := b.WordPressID(db.WPComment, wpID); err != nil {
			return err
		} else if seen {
			im.counts.AlreadyThere++
			continue
		}
		created := parseDate(c.DateGMT, time.UTC)
		if created.IsZero() {
			created = parseDate(c.Date, im.opts.Location)
		}
		if created.IsZero() {
			created = b.Now()
		}
		var parentID int64
		if p := strings.TrimSpace(c.Parent); p != "" && p != "0" {
			parentID, _, _ = b.WordPressID(db.WPComment, p) // a parent skipped as spam leaves a top-level reply
		}
		name := sanitize.PlainLine(c.Author)
		if name == "" {
			name = "Bạn đọc"
		}
		ip := strings.TrimSpace(c.IP)
		if net.ParseIP(ip) == nil {
			ip = ""
		}
		id, err := b.AddComment(db.Comment{ArticleID: articleID, ParentID: parentID, Name: name, Body: body,
			Status: status, IP: ip, CreatedAt: created})
		if err != nil {
			return err
		}
		if err := b.SetWordPressID(db.WPComment, wpID, id); err != nil {
			return err
		}
		im.counts.Comments++
	}
	return nil
}

// clean is NFC and trimmed: WordPress stores what browsers sent, NFD included.
func clean(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }

// decodeName undoes WordPress's percent-encoding of non-ASCII slugs ("%e1%ba%a1" → "ạ")
// and lower-cases, as WordPress compares them.
func decodeName(s string) string {
	s = strings.TrimSpace(s)
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return strings.ToLower(norm.NFC.String(s))
}

// parseDate reads WordPress's "2006-01-02 15:04:05" in loc; zero for "0000-00-00 ..."
// or anything unreadable.
func parseDate(s string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation(time.DateTime, strings.TrimSpace(s), loc)
	if err != nil || t.Year() < 1971 {
		return time.Time{}
	}
	return t.UTC()
}

var (
	blockStart = regexp.MustCompile(`(?i)^<(p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|dl)[\s>/]`)
	blankLines = regexp.MustCompile(`\r?\n\s*\r?\n`)
)

// autop turns WordPress's stored text into paragraphs the way WordPress does on display
// (wpautop, simplified): blank lines separate paragraphs, single newlines become <br>,
// and chunks that already start with a block element are left alone.
func autop(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, chunk := range blankLines.Split(s, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		if blockStart.MatchString(chunk) {
			b.WriteString(chunk)
		} else {
			b.WriteString("<p>" + strings.ReplaceAll(chunk, "\n", "<br>\n") + "</p>")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// IsFileError reports whether err is a problem with the file (rather than the database).
func IsFileError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
