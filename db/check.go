package db

import (
	"context"
	"fmt"
	"os"
)

// MediaPathPrefix is how an article body links a media row: /media/{id}... . The check
// counts a media row as used when it is a cover or when a body holds this prefix and its id.
const MediaPathPrefix = "/media/"

// CheckReport is what `toasoan check` found in a database file.
type CheckReport struct {
	FileStats
	BinarySchema  int      // the newest migration this binary knows
	Integrity     []string // PRAGMA integrity_check problems; empty when sound
	ForeignKeys   int      // rows whose foreign key points nowhere
	OrphanedMedia []int64  // media used by no article (cover or body)
	SearchMissing int      // articles without a search-index row
}

// Healthy reports whether nothing needs the operator's attention. Orphaned media are
// reported but do not make a database unhealthy: an upload waiting for its article is normal.
func (r CheckReport) Healthy() bool {
	return len(r.Integrity) == 0 && r.ForeignKeys == 0 && r.SearchMissing == 0 && r.SchemaVersion <= r.BinarySchema
}

// Check inspects the database file at path read-only; it works while a server runs.
// An error means the file could not be inspected at all (missing, not SQLite); problems
// found inside a readable file are in the report.
func Check(ctx context.Context, path string) (CheckReport, error) {
	rep := CheckReport{BinarySchema: SchemaVersion()}
	fi, err := os.Stat(path)
	if err != nil {
		return rep, fmt.Errorf("check: %w", err)
	}
	rep.Path, rep.Size = path, fi.Size()
	conn, err := openReadOnly(path)
	if err != nil {
		return rep, err
	}
	defer conn.Close()
	if rep.Integrity, err = integrityCheck(ctx, conn, path); err != nil {
		return rep, err
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&rep.SchemaVersion); err != nil {
		return rep, describeOpenError(path, err)
	}
	if rep.SchemaVersion == 0 {
		return rep, fmt.Errorf("check: %s is a SQLite file but not a toasoan database (schema version 0)", path)
	}
	if len(rep.Integrity) > 0 {
		// Counting a damaged file may fail or mislead; the integrity lines say enough.
		return rep, nil
	}
	if rep.Counts, err = tableCounts(ctx, conn); err != nil {
		return rep, fmt.Errorf("check: %w", err)
	}
	fkRows, err := conn.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return rep, fmt.Errorf("check: foreign keys: %w", err)
	}
	for fkRows.Next() {
		rep.ForeignKeys++
	}
	fkRows.Close()
	err = conn.QueryRowContext(ctx, `SELECT count(*) FROM articles a
		WHERE NOT EXISTS (SELECT 1 FROM articles_fts f WHERE f.rowid = a.id)`).Scan(&rep.SearchMissing)
	if err != nil {
		return rep, fmt.Errorf("check: search index: %w", err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT m.id FROM media m
		WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.cover_media_id = m.id)
		  AND NOT EXISTS (SELECT 1 FROM articles a WHERE instr(a.body_html, ? || m.id || '/') > 0
		                                              OR instr(a.body_html, ? || m.id || '"') > 0
		                                              OR instr(a.body_html, ? || m.id || '?') > 0
		                                              OR instr(a.body_html, ? || m.id || ' ') > 0)
		ORDER BY m.id`, MediaPathPrefix, MediaPathPrefix, MediaPathPrefix, MediaPathPrefix)
	if err != nil {
		return rep, fmt.Errorf("check: orphaned media: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return rep, fmt.Errorf("check: orphaned media: %w", err)
		}
		rep.OrphanedMedia = append(rep.OrphanedMedia, id)
	}
	return rep, rows.Err()
}
