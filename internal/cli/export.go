package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// Export records: one JSON object per line, told apart by "type". Field names are part
// of the format other tools read; change them only with a new "format" version.
type (
	exportHeader struct {
		Type       string    `json:"type"` // "toasoan-export"
		Format     int       `json:"format"`
		ExportedAt time.Time `json:"exported_at"`
		Schema     int       `json:"schema_version"`
	}
	exportSection struct {
		Type        string `json:"type"` // "section"
		ID          int64  `json:"id"`
		Slug        string `json:"slug"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Position    int    `json:"position"`
	}
	exportArticle struct {
		Type        string    `json:"type"` // "article"
		ID          int64     `json:"id"`
		Slug        string    `json:"slug"`
		Path        string    `json:"path"`
		Title       string    `json:"title"`
		Lead        string    `json:"lead"`
		BodyHTML    string    `json:"body_html"`
		Byline      string    `json:"byline"`
		SectionID   int64     `json:"section_id"`
		SectionSlug string    `json:"section_slug"`
		PublishedAt time.Time `json:"published_at"`
		UpdatedAt   time.Time `json:"updated_at"`
		Views       int64     `json:"views"`
	}
	exportComment struct {
		Type      string    `json:"type"` // "comment"
		ID        int64     `json:"id"`
		ArticleID int64     `json:"article_id"`
		ParentID  int64     `json:"parent_id,omitempty"`
		Name      string    `json:"name"`
		Title     string    `json:"title"`
		Body      string    `json:"body"`
		CreatedAt time.Time `json:"created_at"`
	}
)

// exportFormat is the version of the JSON Lines format.
const exportFormat = 1

// exportCmd is `toasoan export -data DIR FILE`: everything public as JSON Lines ("-"
// writes to standard output).
func exportCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("export", "Usage: toasoan export [-data DIR] FILE\n\nWrites sections, published articles and approved comments as JSON Lines\n(no phone numbers, IP addresses or drafts). FILE \"-\" is standard output.\n\n", stderr)
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	database, err := openExisting(ctx, *c.dataDir)
	if err != nil {
		return c.fail(1, "%v", err)
	}
	defer database.Close()

	dst := c.arg(0)
	var out io.Writer = stdout
	var file *os.File
	if dst != "-" {
		// Written beside the target and renamed at the end: never a half file under the name.
		file, err = os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".partial-*")
		if err != nil {
			return c.fail(1, "%v", err)
		}
		defer os.Remove(file.Name())
		defer file.Close()
		out = file
	}
	w := bufio.NewWriterSize(out, 256<<10)
	n, err := writeExport(ctx, database, w, time.Now())
	if err == nil {
		err = w.Flush()
	}
	if err == nil && file != nil {
		err = file.Sync()
		if err == nil {
			err = file.Close()
		}
		if err == nil {
			err = os.Rename(file.Name(), dst)
		}
	}
	if err != nil {
		return c.fail(1, "%v", err)
	}
	msg := stdout
	if dst == "-" {
		msg = stderr
	}
	fmt.Fprintf(msg, "export ok: %d sections, %d articles, %d comments\n", n.sections, n.articles, n.comments)
	return 0
}

type exportCounts struct{ sections, articles, comments int }

// writeExport writes the header line and every public record to w.
func writeExport(ctx context.Context, database *db.DB, w io.Writer, now time.Time) (exportCounts, error) {
	var n exportCounts
	enc := json.NewEncoder(w) // one Encode = one line
	enc.SetEscapeHTML(false)  // bodies are HTML; keep them readable
	if err := enc.Encode(exportHeader{Type: "toasoan-export", Format: exportFormat, ExportedAt: now.UTC(), Schema: db.SchemaVersion()}); err != nil {
		return n, err
	}
	err := database.Export(ctx, now, db.ExportVisitor{
		Section: func(c db.Category) error {
			n.sections++
			return enc.Encode(exportSection{Type: "section", ID: c.ID, Slug: c.Slug, Name: c.Name,
				Description: c.Description, Position: c.Position})
		},
		Article: func(a db.Article) error {
			n.articles++
			return enc.Encode(exportArticle{Type: "article", ID: a.ID, Slug: a.Slug,
				Path: views.ArticlePath(a), Title: a.Title, Lead: a.Lead,
				BodyHTML: a.BodyHTML, Byline: a.Byline, SectionID: a.CategoryID, SectionSlug: a.CategorySlug,
				PublishedAt: a.PublishAt, UpdatedAt: a.UpdatedAt, Views: a.Views})
		},
		Comment: func(c db.PublicComment) error {
			n.comments++
			return enc.Encode(exportComment{Type: "comment", ID: c.ID, ArticleID: c.ArticleID, ParentID: c.ParentID,
				Name: c.Name, Title: c.Title, Body: c.Body, CreatedAt: c.CreatedAt})
		},
	})
	return n, err
}

// openExisting opens the database of a data directory that must already hold one: the
// commands that read must not create an empty database by a typo in -data.
func openExisting(ctx context.Context, dataDir string) (*db.DB, error) {
	path := filepath.Join(dataDir, db.FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database in %s: %w", dataDir, err)
	}
	return db.Open(ctx, dataDir)
}
