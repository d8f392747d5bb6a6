package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seedForBackup makes a database worth backing up: a section, an article, and media
// BLOBs big enough that a backup takes long enough for writers to run beside it.
func seedForBackup(t *testing.T, d *DB, mediaMB int) (articleID int64) {
	t.Helper()
	ctx := context.Background()
	err := d.InBulk(ctx, func(b *Bulk) error {
		cat, err := b.AddCategory(Category{Slug: "thoi-su", Name: "Thời sự"})
		if err != nil {
			return err
		}
		articleID, err = b.AddArticle(Article{Slug: "bai-1", Title: "Bài một", BodyHTML: "<p>Nội dung</p>",
			CategoryID: cat, Status: StatusPublished, PublishAt: time.Unix(1_700_000_000, 0)})
		if err != nil {
			return err
		}
		blob := make([]byte, 1<<20)
		for i := range mediaMB {
			rand.Read(blob)
			if _, err := b.tx.ExecContext(ctx, `INSERT INTO media (sha256, mime, size, width, height, data, created_at)
				VALUES (?, 'image/jpeg', ?, 800, 600, ?, 0)`, fmt.Sprintf("sha-%d", i), len(blob), blob); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return articleID
}

// dumpTables returns every table's rows as sorted strings: what "the same content" means.
// Rows are compared without rowids, which VACUUM may renumber in tables without an
// INTEGER PRIMARY KEY.
func dumpTables(t *testing.T, path string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	conn, err := openReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		r, err := conn.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := r.Columns()
		var lines []string
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			// A BLOB stands as its length and SHA-256: quoting 24 MB of media byte by byte,
			// twice, was a quarter of this package's CPU time.
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = fmt.Sprintf("blob %d %x", len(b), sha256.Sum256(b))
				}
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		r.Close()
		slices.Sort(lines)
		out[table] = lines
	}
	return out
}

func TestBackupWhileWritersWriteThenRestoreRowByRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	articleID := seedForBackup(t, d, 24)

	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := d.InsertComment(ctx, Comment{ArticleID: articleID, Name: fmt.Sprintf("Bạn đọc %d-%d", w, i),
					Title: "Ý kiến", Body: "Nội dung bình luận", Status: CommentApproved, CreatedAt: time.Now()})
				if err != nil {
					errs <- err
					return
				}
				written.Add(1)
			}
		}()
	}
	for written.Load() < 20 { // writers are running before the first backup starts
		time.Sleep(time.Millisecond)
	}
	var during int64
	for i := range 3 {
		before := written.Load()
		dst := filepath.Join(t.TempDir(), fmt.Sprintf("b%d.db", i))
		stats, err := d.Backup(ctx, dst)
		if err != nil {
			t.Fatalf("backup %d while writing: %v", i, err)
		}
		during += written.Load() - before
		// One snapshot: the article's comment_count (kept in the comment's transaction)
		// matches the comments in the copy exactly.
		conn, err := openReadOnly(dst)
		if err != nil {
			t.Fatal(err)
		}
		var stored, counted int
		if err := conn.QueryRow(`SELECT comment_count FROM articles WHERE id = ?`, articleID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(`SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved'`, articleID).Scan(&counted); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if stored != counted || counted == 0 {
			t.Errorf("backup %d is not one snapshot: comment_count %d, comments %d", i, stored, counted)
		}
		if stats.Size < 24<<20 || stats.SchemaVersion != SchemaVersion() {
			t.Errorf("backup %d stats %+v", i, stats)
		}
		if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("backup file mode: %v %v", fi.Mode(), err)
		}
		if _, err := os.Stat(dst + ".partial"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("partial file left behind: %v", err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a writer failed during backups: %v", err)
	}
	if during == 0 {
		t.Error("no write completed while backups ran: the backup blocked the writer")
	}

	// Final backup with writers stopped, restored into a fresh directory: every row of
	// every table must come back.
	final := filepath.Join(t.TempDir(), "final.db")
	if _, err := d.Backup(ctx, final); err != nil {
		t.Fatal(err)
	}
	d.Close()
	want := dumpTables(t, filepath.Join(dir, FileName))
	restoreDir := t.TempDir()
	stats, kept, err := Restore(ctx, restoreDir, final, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if kept != "" {
		t.Errorf("nothing to keep in an empty directory, got %q", kept)
	}
	got := dumpTables(t, filepath.Join(restoreDir, FileName))
	if len(want) < 10 || len(got) != len(want) {
		t.Fatalf("tables: got %d, want %d", len(got), len(want))
	}
	for table, rows := range want {
		if !slices.Equal(got[table], rows) {
			t.Errorf("table %s differs after restore: %d rows, want %d", table, len(got[table]), len(rows))
		}
	}
	if n := countOf(stats, "comments"); n != int64(written.Load()) {
		t.Errorf("restored %d comments, writers acknowledged %d", n, written.Load())
	}
	// The restored directory opens as a working database.
	r, err := Open(ctx, restoreDir)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

func countOf(s FileStats, table string) int64 {
	for _, c := range s.Counts {
		if c.Table == table {
			return c.Rows
		}
	}
	return -1
}

// damage overwrites pages in the middle of a database file, as a failing disk would.
func damage(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
	for off := int64(4096 * 3); off < fi.Size()-4096; off += 4096 * 4 {
		f.WriteAt(junk, off)
	}
}

func TestVerifyAndRestoreRefuseBadFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tmp := t.TempDir()
	garbage := filepath.Join(tmp, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("not sqlite ", 1000)), 0o600)
	empty := filepath.Join(tmp, "empty.db")
	os.WriteFile(empty, nil, 0o600)

	src := t.TempDir()
	d, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	seedForBackup(t, d, 0)
	for i := range 300 { // enough pages for damage to hit tables and indexes
		d.CreateArticle(ctx, Article{Slug: fmt.Sprintf("bai-%d", i), Title: strings.Repeat("Tiêu đề dài ", 20),
			BodyHTML: strings.Repeat("<p>Nội dung bài viết</p>", 30), CategoryID: 1, Status: StatusDraft})
	}
	good := filepath.Join(tmp, "good.db")
	if _, err := d.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	d.Close()
	damaged := filepath.Join(tmp, "damaged.db")
	copyFile(good, damaged)
	damage(t, damaged)

	cases := []struct{ name, file, want string }{
		{"missing", filepath.Join(tmp, "nope.db"), "no such file"},
		{"directory", tmp, "not a regular file"},
		{"garbage", garbage, "not a SQLite file"},
		{"empty file", empty, "not a toasoan database"},
		{"damaged", damaged, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := VerifyFile(ctx, c.file); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("verify: %v, want %q", err, c.want)
			}
			// Restoring it over the good database refuses and leaves that database untouched.
			target := t.TempDir()
			copyFile(good, filepath.Join(target, FileName))
			before := dumpTables(t, filepath.Join(target, FileName))
			if _, _, err := Restore(ctx, target, c.file, time.Now()); err == nil {
				t.Fatal("restore accepted a bad file")
			}
			entries, _ := os.ReadDir(target)
			if len(entries) != 1 {
				t.Errorf("restore left files behind: %v", entries)
			}
			if after := dumpTables(t, filepath.Join(target, FileName)); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Error("a refused restore changed the database")
			}
		})
	}

	t.Run("check reports the damage", func(t *testing.T) {
		rep, err := Check(ctx, damaged)
		if err == nil && rep.Healthy() {
			t.Fatalf("damaged file reported healthy: %+v", rep)
		}
		if err == nil && len(rep.Integrity) == 0 {
			t.Errorf("no integrity problems listed: %+v", rep)
		}
		rep, err = Check(ctx, good)
		if err != nil || !rep.Healthy() || countOf(rep.FileStats, "articles") != 301 {
			t.Fatalf("good file: %v %+v", err, rep)
		}
	})
}

func TestRestoreKeepsThePreviousDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	target := t.TempDir()
	d, err := Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	seedForBackup(t, d, 0)
	backup := filepath.Join(t.TempDir(), "b.db")
	if _, err := d.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	// A change after the backup, still in the WAL when the restore runs.
	if err := d.SetSetting(ctx, SettingSiteName, "Sau bản sao"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	_, kept, err := Restore(ctx, target, backup, now)
	if err != nil {
		t.Fatal(err)
	}
	if kept != filepath.Join(target, FileName+".before-restore-20261128-100000") {
		t.Errorf("kept %q", kept)
	}
	for path, want := range map[string]string{filepath.Join(target, FileName): "default", kept: "Sau bản sao"} {
		r, err := OpenFile(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := r.Setting(ctx, SettingSiteName, "default")
		r.Close()
		if got != want {
			t.Errorf("%s: site name %q, want %q", filepath.Base(path), got, want)
		}
	}
}

func TestLockDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	l.Unlock()
	l2, err := LockDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l2.Unlock()
}

func TestBackupStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := openTest(t)
	st, err := d.BackupStatus(ctx)
	if err != nil || !st.LastSuccess.IsZero() || st.Failing() {
		t.Fatalf("fresh status %+v %v", st, err)
	}
	t1 := time.Unix(1_800_000_000, 0).UTC()
	d.RecordBackup(ctx, t1, "/b/toasoan-1.db", nil)
	d.RecordBackup(ctx, t1.Add(time.Hour), "", errors.New("disk full"))
	st, _ = d.BackupStatus(ctx)
	if !st.LastSuccess.Equal(t1) || st.LastFile != "/b/toasoan-1.db" || !st.Failing() || st.LastError != "disk full" {
		t.Fatalf("after failure %+v", st)
	}
	d.RecordBackup(ctx, t1.Add(2*time.Hour), "/b/toasoan-2.db", nil)
	st, _ = d.BackupStatus(ctx)
	if st.Failing() || st.LastFile != "/b/toasoan-2.db" {
		t.Fatalf("after recovery %+v", st)
	}
}

func TestCheckFindsOrphanedMedia(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	id := seedForBackup(t, d, 4) // media 1..4
	d.w.ExecContext(ctx, `UPDATE articles SET cover_media_id = 1, body_html = '<img src="/media/2?w=640"> <img src="/media/3"> /media/40' WHERE id = ?`, id)
	d.Close()
	rep, err := Check(ctx, filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.OrphanedMedia, []int64{4}) || !rep.Healthy() {
		t.Fatalf("orphans %v healthy %v", rep.OrphanedMedia, rep.Healthy())
	}
}
