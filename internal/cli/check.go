package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"toasoan/db"
)

// checkCmd is `toasoan check -data DIR`: integrity, schema version, counts and orphaned
// media, read-only, safe while the server runs. Exit 1 when something needs attention.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("check", "", stderr)
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	rep, err := db.Check(context.Background(), filepath.Join(*c.dataDir, db.FileName))
	if err != nil {
		return c.fail(1, "%v", err)
	}
	fmt.Fprintf(stdout, "database:          %s (%s)\n", rep.Path, humanBytes(rep.Size))
	if len(rep.Integrity) == 0 {
		fmt.Fprintln(stdout, "integrity:         ok")
	} else {
		fmt.Fprintf(stdout, "integrity:         DAMAGED (%d problems)\n", len(rep.Integrity))
		for i, p := range rep.Integrity {
			if i == 20 {
				fmt.Fprintf(stdout, "  ... and %d more\n", len(rep.Integrity)-i)
				break
			}
			fmt.Fprintln(stdout, "  "+p)
		}
	}
	schema := "ok"
	switch {
	case rep.SchemaVersion < rep.BinarySchema:
		schema = "older than this binary: the next start migrates it"
	case rep.SchemaVersion > rep.BinarySchema:
		schema = "NEWER than this binary: upgrade toasoan"
	}
	fmt.Fprintf(stdout, "schema version:    %d (binary knows %d): %s\n", rep.SchemaVersion, rep.BinarySchema, schema)
	if len(rep.Integrity) == 0 {
		for _, c := range rep.Counts {
			fmt.Fprintf(stdout, "%-19s%d\n", c.Table+":", c.Rows)
		}
		fmt.Fprintf(stdout, "foreign keys:      %d broken\n", rep.ForeignKeys)
		fmt.Fprintf(stdout, "search index:      %d articles missing\n", rep.SearchMissing)
		fmt.Fprintf(stdout, "orphaned media:    %d", len(rep.OrphanedMedia))
		if len(rep.OrphanedMedia) > 0 {
			fmt.Fprintf(stdout, " (ids %v; used by no article, not deleted)", rep.OrphanedMedia[:min(len(rep.OrphanedMedia), 50)])
		}
		fmt.Fprintln(stdout)
	}
	if !rep.Healthy() {
		fmt.Fprintln(stdout, "result:            PROBLEMS FOUND")
		return 1
	}
	fmt.Fprintln(stdout, "result:            healthy")
	return 0
}
