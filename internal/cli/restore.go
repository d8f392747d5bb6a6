package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"toasoan/db"
)

// restoreCmd is `toasoan restore -data DIR FILE`: it verifies a backup and puts it in
// place of the data directory's database, refusing while a server holds the directory.
func restoreCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", envOr("TOASOAN_DATA", "./data"), "data directory to restore into [TOASOAN_DATA]")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: toasoan restore [-data DIR] FILE\n\nReplaces the database in DIR with the backup FILE. Stop the server first;\nthe database replaced is kept as toasoan.db.before-restore-TIME.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	lock, err := db.LockDir(*dataDir)
	if err != nil {
		if errors.Is(err, db.ErrLocked) {
			fmt.Fprintf(stderr, "toasoan restore: a toasoan server is running on %s: stop it first (%v)\n", *dataDir, err)
		} else {
			fmt.Fprintln(stderr, "toasoan restore:", err)
		}
		return 1
	}
	defer lock.Unlock()
	stats, kept, err := db.Restore(context.Background(), *dataDir, fs.Arg(0), time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "toasoan", err)
		return 1
	}
	fmt.Fprintf(stdout, "restore ok: %s, %s, schema %d, %s\n", stats.Path, humanBytes(stats.Size), stats.SchemaVersion, stats)
	if kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", kept)
	}
	return 0
}
