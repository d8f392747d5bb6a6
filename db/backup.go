package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// FileStats describes a database file: what backup, restore and check print.
type FileStats struct {
	Path          string
	Size          int64
	SchemaVersion int
	Counts        []TableCount
}

// TableCount is the number of rows in one table.
type TableCount struct {
	Table string
	Rows  int64
}

// countedTables are the tables whose row counts the operator sees after a backup, a
// restore or a check: the content a newsroom would miss.
var countedTables = []string{"categories", "articles", "article_revisions", "comments", "users", "media",
	"media_variants", "audit_log", "settings"}

// String is the counts as "articles=12 comments=40 ...".
func (s FileStats) String() string {
	var b strings.Builder
	for i, c := range s.Counts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.Table + "=" + strconv.FormatInt(c.Rows, 10))
	}
	return b.String()
}

// Backup writes a consistent copy of the live database to dst with VACUUM INTO, then
// verifies the copy (PRAGMA integrity_check) before it appears under its final name.
// VACUUM INTO reads inside one read transaction: in WAL mode it sees one snapshot and
// neither blocks nor is blocked by the writer, so the server keeps taking writes.
// Media are BLOBs in the database, so the one file holds everything.
func (d *DB) Backup(ctx context.Context, dst string) (FileStats, error) {
	return BackupFile(ctx, d.path, dst)
}

// BackupFile backs up the database at src (which a server may be using) to dst; see Backup.
func BackupFile(ctx context.Context, src, dst string) (FileStats, error) {
	if _, err := os.Stat(src); err != nil {
		return FileStats{}, fmt.Errorf("backup: no database at %s: %w", src, err)
	}
	dst, err := filepath.Abs(dst)
	if err != nil {
		return FileStats{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return FileStats{}, fmt.Errorf("backup: create %s: %w", filepath.Dir(dst), err)
	}
	// A connection of its own: the reader pool is query_only, which refuses VACUUM.
	conn, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return FileStats{}, fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	tmp := dst + ".partial"
	os.Remove(tmp) // VACUUM INTO refuses an existing file; a leftover is from a failed run
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return FileStats{}, fmt.Errorf("backup: copy %s: %w", src, describeOpenError(src, err))
	}
	// A backup holds phone numbers, IP addresses and password hashes: owner only.
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return FileStats{}, fmt.Errorf("backup: %w", err)
	}
	stats, err := VerifyFile(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return FileStats{}, fmt.Errorf("backup: the copy failed verification: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return FileStats{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return FileStats{}, fmt.Errorf("backup: %w", err)
	}
	syncDir(filepath.Dir(dst))
	stats.Path = dst
	return stats, nil
}

// VerifyFile opens a database file read-only and checks that it is a sound toasoan
// database: PRAGMA integrity_check says ok, the schema is one this binary knows, and the
// content tables are there. It returns the file's size, schema version and counts.
func VerifyFile(ctx context.Context, path string) (FileStats, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return FileStats{}, fmt.Errorf("%s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return FileStats{}, fmt.Errorf("%s is not a regular file", path)
	}
	conn, err := openReadOnly(path)
	if err != nil {
		return FileStats{}, err
	}
	defer conn.Close()
	problems, err := integrityCheck(ctx, conn, path)
	if err != nil {
		return FileStats{}, err
	}
	if len(problems) > 0 {
		return FileStats{}, fmt.Errorf("%s failed the integrity check: %s", path, strings.Join(problems, "; "))
	}
	stats := FileStats{Path: path, Size: fi.Size()}
	if err := conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&stats.SchemaVersion); err != nil {
		return FileStats{}, fmt.Errorf("%s: read schema version: %w", path, err)
	}
	switch {
	case stats.SchemaVersion == 0:
		return FileStats{}, fmt.Errorf("%s is a SQLite file but not a toasoan database (schema version 0)", path)
	case stats.SchemaVersion > SchemaVersion():
		return FileStats{}, fmt.Errorf("%s has schema version %d, newer than this binary knows (%d): upgrade toasoan first",
			path, stats.SchemaVersion, SchemaVersion())
	}
	if stats.Counts, err = tableCounts(ctx, conn); err != nil {
		return FileStats{}, fmt.Errorf("%s: %w", path, err)
	}
	return stats, nil
}

// openReadOnly opens a file with mode=ro: verifying must never create or change it.
// The file: prefix is what makes SQLite honour mode=ro (see LIBRARY-FACTS.md).
func openReadOnly(path string) (*sql.DB, error) {
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	return conn, nil
}

// integrityCheck returns the problems PRAGMA integrity_check reports (none when "ok").
func integrityCheck(ctx context.Context, conn *sql.DB, path string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, describeOpenError(path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, describeOpenError(path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, describeOpenError(path, err)
	}
	return problems, nil
}

func tableCounts(ctx context.Context, conn *sql.DB) ([]TableCount, error) {
	out := make([]TableCount, 0, len(countedTables))
	for _, table := range countedTables {
		var n int64
		// Table names come from the constant list above, never from input.
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", table, err)
		}
		out = append(out, TableCount{Table: table, Rows: n})
	}
	return out, nil
}

// Restore replaces the database in dataDir with the backup file src, after verifying it.
// The caller must hold the directory's lock (LockDir): no server may be running. The
// database it replaces is kept beside it as toasoan.db.before-restore-TIME, so a restore
// of the wrong file can itself be undone.
func Restore(ctx context.Context, dataDir, src string, now time.Time) (FileStats, string, error) {
	stats, err := VerifyFile(ctx, src)
	if err != nil {
		return FileStats{}, "", fmt.Errorf("the backup is not usable: %w", err)
	}
	dst := filepath.Join(dataDir, FileName)
	tmp := dst + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return FileStats{}, "", fmt.Errorf("restore: %w", err)
	}
	var kept string
	if _, err := os.Stat(dst); err == nil {
		// Fold the old database's WAL into it first, so the copy kept aside is whole.
		if err := checkpoint(ctx, dst); err != nil {
			os.Remove(tmp)
			return FileStats{}, "", fmt.Errorf("restore: the current database %s is in use by another process "+
				"(a toasoan started without the lock, Litestream, a sqlite3 shell?): stop it first (%w)", dst, err)
		}
		kept = dst + ".before-restore-" + now.UTC().Format("20060102-150405")
		if err := os.Rename(dst, kept); err != nil {
			os.Remove(tmp)
			return FileStats{}, "", fmt.Errorf("restore: %w", err)
		}
	}
	// A WAL left beside the new file would be replayed into it: remove both side files.
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + side); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp)
			return FileStats{}, "", fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return FileStats{}, "", fmt.Errorf("restore: %w", err)
	}
	syncDir(dataDir)
	stats.Path = dst
	return stats, kept, nil
}

// checkpoint folds a database's WAL into the main file and truncates the WAL.
func checkpoint(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return err
	}
	if busy != 0 {
		return errors.New("database is busy")
	}
	return conn.Close()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename durable; errors are ignored because not every filesystem
// supports syncing a directory, and the rename itself already happened.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// Backup status, recorded in settings by the automatic backups so the admin dashboard
// (and /metrics) can show when the last one succeeded or failed.
const (
	SettingBackupLastSuccess = "backup_last_success" // Unix seconds
	SettingBackupLastFile    = "backup_last_file"
	SettingBackupLastFailure = "backup_last_failure" // Unix seconds
	SettingBackupLastError   = "backup_last_error"
)

// BackupStatus is what the dashboard shows about automatic backups.
type BackupStatus struct {
	LastSuccess time.Time // zero when none ever succeeded
	LastFile    string
	LastFailure time.Time // zero when none ever failed
	LastError   string
}

// Failing reports whether the most recent backup attempt failed.
func (s BackupStatus) Failing() bool {
	return !s.LastFailure.IsZero() && s.LastFailure.After(s.LastSuccess)
}

// BackupStatus reads the recorded status of the automatic backups.
func (d *DB) BackupStatus(ctx context.Context) (BackupStatus, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (?, ?, ?, ?)`,
		SettingBackupLastSuccess, SettingBackupLastFile, SettingBackupLastFailure, SettingBackupLastError)
	if err != nil {
		return BackupStatus{}, fmt.Errorf("db: backup status: %w", err)
	}
	defer rows.Close()
	var s BackupStatus
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return BackupStatus{}, fmt.Errorf("db: backup status: %w", err)
		}
		switch k {
		case SettingBackupLastSuccess:
			s.LastSuccess = parseUnix(v)
		case SettingBackupLastFile:
			s.LastFile = v
		case SettingBackupLastFailure:
			s.LastFailure = parseUnix(v)
		case SettingBackupLastError:
			s.LastError = v
		}
	}
	return s, rows.Err()
}

// RecordBackup stores the outcome of an automatic backup: the file on success, the error
// text on failure (the earlier success stays, so the dashboard shows both).
func (d *DB) RecordBackup(ctx context.Context, at time.Time, file string, backupErr error) error {
	return d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		set := func(k, v string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v)
			return err
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		if backupErr != nil {
			return errors.Join(set(SettingBackupLastFailure, ts), set(SettingBackupLastError, backupErr.Error()))
		}
		return errors.Join(set(SettingBackupLastSuccess, ts), set(SettingBackupLastFile, file))
	})
}

func parseUnix(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
