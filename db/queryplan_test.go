package db

import (
	"strings"
	"testing"
)

// queryPlan is SQLite's plan for query, one step a line.
func queryPlan(t *testing.T, d *DB, query string, args ...any) string {
	t.Helper()
	rows, err := d.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestArticlePageQueriesUseTheirIndexes: the queries an article page runs on every render
// read what concerns that article, not the whole site. Both once walked far more: the
// related articles every published article (reading each row, body and all), the replies
// every approved comment of the site. With moderation off a busy thread's page is
// rendered about once a second, and these two were most of each render.
func TestArticlePageQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	d := openTest(t)
	related := queryPlan(t, d, relatedQuery, 1, 0, 5)
	for _, want := range []string{"articles_search_idx", "USING INTEGER PRIMARY KEY"} {
		if !strings.Contains(related, want) {
			t.Errorf("related articles do not use %s:\n%s", want, related)
		}
	}
	if strings.Contains(related, "articles_public_idx") || strings.Contains(related, "SCAN a") {
		t.Errorf("related articles walk the published articles:\n%s", related)
	}
	replies := queryPlan(t, d, repliesQuery("?,?"), 1, 2)
	if !strings.Contains(replies, "comments_parent_idx") || strings.Contains(replies, "comments_status_idx") {
		t.Errorf("replies are not found through comments_parent_idx:\n%s", replies)
	}
}
