package db

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func TestStoredTextIsNormalized(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	cat, err := d.CreateCategory(ctx, Category{Slug: "Văn hóa - Xã hội", Name: norm.NFD.String("  Văn  hóa -\tXã hội ")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.CategoryByID(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Văn hóa - Xã hội" || c.Slug != "van-hoa-xa-hoi" {
		t.Errorf("category stored as %q / %q", c.Name, c.Slug)
	}
	title := norm.NFD.String("Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo”\u200b ")
	id, err := d.CreateArticle(ctx, Article{Title: title, Lead: norm.NFD.String("Đà  Nẵng\n"),
		BodyHTML: norm.NFD.String("<p>Chất độc da cam &#34;dioxin&#34;</p>"), CategoryID: cat,
		Status: StatusPublished, PublishAt: time.Unix(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.ArticleByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Hai Bà Trưng: Hưởng ứng “Tết vì người nghèo”" || a.Lead != "Đà Nẵng" ||
		!norm.NFC.IsNormalString(a.BodyHTML) {
		t.Errorf("stored %q / %q / %q", a.Title, a.Lead, a.BodyHTML)
	}
	if a.Slug != "hai-ba-trung-huong-ung-tet-vi-nguoi-ngheo" {
		t.Errorf("slug %q", a.Slug)
	}
	// Entities are decoded before indexing: "dioxin" is a word, not "34".
	var n int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '"dioxin" AND "chat"'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("dioxin: %d, %v", n, err)
	}
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '"34"'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("entity indexed as a number: %d, %v", n, err)
	}
}

func TestSearchMigrationKeepsIndex(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	ctx := context.Background()
	var sql string
	if err := d.r.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'articles_fts'`).Scan(&sql); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, "prefix") || !strings.Contains(sql, "remove_diacritics 2") {
		t.Errorf("articles_fts after migration 004: %s", sql)
	}
	var n int
	if err := d.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'articles_search_idx'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("no covering index: %d %v", n, err)
	}
}
