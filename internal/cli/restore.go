package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"toasoan/db"
)

// restoreCmd is `toasoan restore -data DIR FILE`: it verifies a backup and puts it in
// place of the data directory's database, refusing while a server holds the directory.
func restoreCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("restore", "Usage: toasoan restore [-data DIR] FILE\n\nReplaces the database in DIR with the backup FILE. Stop the server first;\nthe database replaced is kept as toasoan.db.before-restore-TIME.\n\n", stderr)
	c.flags.Lookup("data").Usage = "data directory to restore into [TOASOAN_DATA]"
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	lock, err := db.LockDir(*c.dataDir)
	if err != nil {
		if errors.Is(err, db.ErrLocked) {
			return c.fail(1, "a toasoan server is running on %s: stop it first (%v)", *c.dataDir, err)
		}
		return c.fail(1, "%v", err)
	}
	defer lock.Unlock()
	stats, kept, err := db.Restore(context.Background(), *c.dataDir, c.arg(0), time.Now())
	if err != nil {
		return c.fail(1, "%v", err)
	}
	fmt.Fprintf(stdout, "restore ok: %s, %s, schema %d, %s\n", stats.Path, humanBytes(stats.Size), stats.SchemaVersion, stats)
	if kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", kept)
	}
	return 0
}
