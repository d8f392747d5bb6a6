package db

import (
	"errors"

	"modernc.org/sqlite"
)

// Primary SQLite result codes the portal reacts to (the low byte of extended codes).
const (
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// WriteUnavailable reports whether err means the database cannot take writes right now —
// the disk is full, the file became read-only, or the storage failed — as opposed to a bug.
// Readers keep working in that state; writers get a clear "try again later".
func WriteUnavailable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen:
		return true
	}
	return false
}
