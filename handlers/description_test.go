package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"toasoan/db"
	"toasoan/views"
)

// Issue #16, item 10: an article without a lead (most imported WordPress posts, and any
// article written without one) describes itself from its body, as WordPress generates an
// excerpt: 55 words, then " […]". Page metadata, JSON-LD and both feeds say the same.
func TestDescriptionFromBodyWithoutLead(t *testing.T) {
	t.Parallel()
	s := newTestSite(t)
	ctx := context.Background()
	cats, err := s.app.DB.Categories(ctx, false)
	if err != nil || len(cats) == 0 {
		t.Fatalf("no sections: %v", err)
	}
	var words []string
	for i := 0; i < 70; i++ {
		words = append(words, "chữ"+strings.Repeat("a", i%3))
	}
	body := "<h2>Mở đầu</h2><p>" + strings.Join(words[:10], " ") + "</p><figure><img src=\"/media/1\" alt=\"Ảnh\"><figcaption>Chú thích</figcaption></figure><p>" +
		strings.Join(words[10:], " ") + "</p>"
	id, err := s.app.DB.CreateArticle(ctx, db.Article{Slug: "khong-sapo", Title: "Bài không có sapo", BodyHTML: body,
		CategoryID: cats[0].ID, Status: db.StatusPublished, PublishAt: testNow.Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	art, err := s.app.DB.PublicArticle(ctx, id, testNow)
	if err != nil {
		t.Fatal(err)
	}
	all := append([]string{"Mở", "đầu"}, words[:10]...)
	all = append(all, "Chú", "thích")
	all = append(all, words[10:]...)
	want := strings.Join(all[:55], " ") + " […]"

	resp, page := s.get(t, views.ArticlePath(art))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, page)
	for _, key := range []string{"description", "og:description", "twitter:description"} {
		if got, n := metaContent(doc, key); n != 1 || got != want {
			t.Errorf("%s = %q (%d), want %q", key, got, n, want)
		}
	}
	found := false
	for _, ld := range jsonLD(t, doc) {
		if ld["@type"] == "NewsArticle" {
			found = true
			if ld["description"] != want {
				t.Errorf("JSON-LD description %q", ld["description"])
			}
		}
	}
	if !found {
		t.Error("no NewsArticle JSON-LD")
	}

	_, rss := s.get(t, "/rss.xml")
	var feed rssResult
	decodeXML(t, rss, &feed)
	if len(feed.Channel.Items) == 0 || feed.Channel.Items[0].Title != art.Title || feed.Channel.Items[0].Description != want {
		t.Errorf("RSS first item %+v", feed.Channel.Items[:1])
	}
	_, atom := s.get(t, "/atom.xml")
	if !strings.Contains(atom, "<summary>"+want+"</summary>") {
		t.Errorf("Atom feed lacks the summary %q", want)
	}
}
