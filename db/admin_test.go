package db

import (
	"context"
	"testing"
	"time"
)

func TestLoginFailuresArePrunedAfterADay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	never := func(string, int, time.Time) time.Time { return time.Time{} }
	claim := func(ip, name string, at time.Time) {
		t.Helper()
		if _, err := d.ClaimLoginAttempt(ctx, at, []ThrottleKey{{ThrottleUser, name}, {ThrottleIP, ip}}, never); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		claim("192.0.2.1", "ten-bia-"+string(rune('a'+i)), t0)
	}
	if n, _, err := d.LoginFailures(ctx, ThrottleIP, "192.0.2.1"); err != nil || n != 3 {
		t.Fatalf("ip failures %d (%v)", n, err)
	}
	claim("192.0.2.9", "khac", t0.Add(25*time.Hour))
	var rows int
	if err := d.r.QueryRow(`SELECT count(*) FROM login_attempts`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 2 { // the new user and address only
		t.Errorf("%d rows after a day", rows)
	}
}

func TestAuditQueryFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	d.Audit(ctx, Actor{UserName: "a"}, t0, "article.update", ObjectArticle, 7, "x")
	d.Audit(ctx, Actor{UserName: "b"}, t0.Add(time.Hour), "article.published", ObjectArticle, 7, "y")
	d.Audit(ctx, Actor{UserName: "b"}, t0.Add(2*time.Hour), "comment.approved", ObjectComment, 3, "z")
	d.Audit(ctx, Actor{UserName: "c"}, t0.Add(3*time.Hour), "a%_", "", 0, "")
	for name, c := range map[string]struct {
		q    AuditQuery
		want int
	}{
		"all":         {AuditQuery{}, 4},
		"by user":     {AuditQuery{UserName: "b"}, 2},
		"by prefix":   {AuditQuery{Action: "article."}, 2},
		"wildcards":   {AuditQuery{Action: "a%"}, 1},
		"by object":   {AuditQuery{ObjectType: ObjectArticle, ObjectID: 7}, 2},
		"since":       {AuditQuery{Since: t0.Add(90 * time.Minute)}, 2},
		"until":       {AuditQuery{Until: t0.Add(time.Hour)}, 1},
		"sql in name": {AuditQuery{UserName: "b' OR '1'='1"}, 0},
	} {
		c.q.Limit = 10
		entries, total, err := d.AuditLog(ctx, c.q)
		if err != nil || total != c.want || len(entries) != c.want {
			t.Errorf("%s: %d/%d entries, want %d (%v)", name, len(entries), total, c.want, err)
		}
	}
}
