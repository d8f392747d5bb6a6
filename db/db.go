// Package db is the only package that speaks SQL: it opens the SQLite file with the
// pragmas the portal relies on, applies the embedded migrations, and offers one file of
// queries per entity.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"toasoan/internal/briefcache"
)

// ErrNotFound is returned when a requested row does not exist (or is not visible).
var ErrNotFound = errors.New("db: not found")

// FileName is the database file's name inside the data directory.
const FileName = "toasoan.db"

// The pragmas are constants: modernc executes _pragma text verbatim, so nothing from
// outside may ever reach these strings.
const (
	writerParams = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	readerParams = "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)"
)

// DB holds the single writer connection and the reader pool of one database file.
type DB struct {
	w    *sql.DB
	r    *sql.DB
	path string
	// wKept and rKept keep the hot paths' statements prepared on the writer and the
	// readers (see keptStatements).
	wKept, rKept keptStatements

	onChange atomic.Pointer[func(Change)]
	posts    postQueue                         // reader posts waiting to be committed together
	blocks   *briefcache.Cache[blockKey, bool] // CommentBlocked's recent answers
	// passwordCost is bcrypt's work factor for new hashes; 0 means bcryptCost.
	passwordCost atomic.Int32
	dummyHash    atomic.Pointer[[]byte] // at passwordCost; nil means the package's dummyHash
}

// Change says what a committed write changed, so caches retire only the pages that
// show it.
type Change struct {
	// All: anything public may have changed (an article, a section, a setting, an import):
	// every cached page goes.
	All bool
	// CommentsOf lists the articles whose comments changed (a comment published, moderated,
	// edited or removed) when nothing else did: their pages and comment lists go; the
	// comment counts on other pages catch up within the page cache's lifetime.
	CommentsOf []int64
	// ReaderPost marks a change that only adds a reader's comment published at once (no
	// moderation, or a known reader): readers post many a second on a busy thread, so the
	// pages may show it a moment later (the page cache's grace); a moderator's change,
	// an edit or a removal shows at once.
	ReaderPost bool
}

// OnContentChange registers fn to run after every committed write that can change what
// readers see (the page cache retires pages on it). Writes that cannot — view counts,
// captchas, pending comments, logins, users, blocks, backup records — do not call it.
func (d *DB) OnContentChange(fn func(Change)) { d.onChange.Store(&fn) }

// changed reports a committed content change.
func (d *DB) changed(c Change) {
	if fn := d.onChange.Load(); fn != nil {
		(*fn)(c)
	}
}

// changedAll reports a committed change that may touch any public page.
func (d *DB) changedAll() { d.changed(Change{All: true}) }

// Open opens (creating if needed) the database in dataDir, checks the pragmas it relies
// on and applies pending migrations. Errors are one line that says what is wrong.
func Open(ctx context.Context, dataDir string) (*DB, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dataDir, err)
	}
	probe, err := os.CreateTemp(dataDir, ".write-test-*")
	if err != nil {
		return nil, fmt.Errorf("data directory %s is not writable: %w", dataDir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return OpenFile(ctx, filepath.Join(dataDir, FileName))
}

// OpenFile opens the database at path; see Open.
func OpenFile(ctx context.Context, path string) (*DB, error) {
	w, err := sql.Open("sqlite", "file:"+path+writerParams)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One writer: SQLite allows one at a time anyway, and queuing in Go avoids
	// SQLITE_BUSY storms (see LIBRARY-FACTS.md).
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	d := &DB{w: w, path: path, blocks: briefcache.New[blockKey, bool](blockVerdictTTL, blockVerdictsMax)}
	d.wKept.pool = w
	if err := d.checkWriter(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := d.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+readerParams)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	d.r = r
	d.rKept.pool = r
	return d, nil
}

// checkWriter reads the pragmas back: a file on a filesystem without WAL support, or a
// driver that ignored a pragma, must stop start-up rather than lose writes later.
func (d *DB) checkWriter(ctx context.Context) error {
	var mode string
	if err := d.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return describeOpenError(d.path, err)
	}
	var fk, timeout int
	if err := d.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return describeOpenError(d.path, err)
	}
	if err := d.w.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil {
		return describeOpenError(d.path, err)
	}
	// A garbage file passes the pragmas above; reading the schema is what fails.
	var n int
	if err := d.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return describeOpenError(d.path, err)
	}
	switch {
	case !strings.EqualFold(mode, "wal"):
		return fmt.Errorf("database %s: journal_mode is %q, need wal", d.path, mode)
	case fk != 1:
		return fmt.Errorf("database %s: foreign_keys is off", d.path)
	case timeout < 1000:
		return fmt.Errorf("database %s: busy_timeout is %d ms, need at least 1000", d.path, timeout)
	}
	return nil
}

func describeOpenError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "not a database"), strings.Contains(msg, "malformed"):
		return fmt.Errorf("database %s is corrupt or not a SQLite file: %w", path, err)
	case strings.Contains(msg, "readonly"), strings.Contains(msg, "read-only"), strings.Contains(msg, "unable to open"):
		return fmt.Errorf("database %s cannot be opened for writing: %w", path, err)
	}
	return fmt.Errorf("database %s: %w", path, err)
}

// Close closes both pools.
func (d *DB) Close() error {
	d.rKept.close()
	d.wKept.close()
	var errR error
	if d.r != nil {
		errR = d.r.Close()
	}
	return errors.Join(errR, d.w.Close())
}

// Ping checks that the database answers a query, for /healthz.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Path is the database file's path.
func (d *DB) Path() string { return d.path }

// Writer is the single writer pool, for libraries that need a *sql.DB (the session store).
func (d *DB) Writer() *sql.DB { return d.w }

// Reader is the read-only pool, for libraries that only read.
func (d *DB) Reader() *sql.DB { return d.r }

// inTx runs fn in one immediate transaction on the writer and, after the commit,
// reports a content change: by default every write may change a public page.
func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := d.inTxQuiet(ctx, fn); err != nil {
		return err
	}
	d.changedAll()
	return nil
}

// inTxQuiet is inTx for writes that change nothing readers see.
func (d *DB) inTxQuiet(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func unix(t time.Time) int64 { return t.Unix() }

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
