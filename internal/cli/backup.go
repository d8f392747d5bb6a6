package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"toasoan/db"
	"toasoan/internal/metrics"
)

// backupCmd is `toasoan backup -data DIR FILE`: a consistent copy of the live database,
// safe while the server runs and writes.
func backupCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("backup", "Usage: toasoan backup [-data DIR] FILE\n\nWrites a verified copy of the database (media included) to FILE.\n\n", stderr)
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	dst := c.arg(0)
	if _, err := os.Stat(dst); err == nil {
		return c.fail(1, "%s exists; choose a new file name", dst)
	}
	start := time.Now()
	stats, err := db.BackupFile(ctx, filepath.Join(*c.dataDir, db.FileName), dst)
	if err != nil {
		return c.fail(1, "%v", err)
	}
	fmt.Fprintf(stdout, "backup ok: %s, %s, schema %d, %s, in %s\n", stats.Path, humanBytes(stats.Size),
		stats.SchemaVersion, stats, time.Since(start).Round(time.Millisecond))
	return 0
}

// humanBytes writes a size the way an operator reads it.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// backupFilePrefix and backupTimeLayout name the automatic backups; the layout sorts
// lexically in time order, which is how pruning finds the oldest.
const (
	backupFilePrefix = "toasoan-"
	backupFileSuffix = ".db"
	backupTimeLayout = "20060102-150405"
)

// backupScheduler makes the automatic backups of `serve -backup-dir`.
type backupScheduler struct {
	DB      *db.DB
	Dir     string
	Every   time.Duration
	Keep    int
	Log     *slog.Logger
	Metrics *metrics.Metrics
	Now     func() time.Time
}

// Run backs up every s.Every until ctx ends. The first backup comes when the last
// recorded success is older than Every (at once after a long stop), else on schedule.
func (s *backupScheduler) Run(ctx context.Context) {
	st, err := s.DB.BackupStatus(ctx)
	if err != nil {
		s.Log.Error("read backup status; backing up now", "err", err)
	}
	timer := time.NewTimer(firstBackupWait(st.LastSuccess, s.Now(), s.Every))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s.RunOnce(ctx)
		timer.Reset(s.Every)
	}
}

// firstBackupWait is how long after start the first automatic backup runs: at once when
// none ever succeeded or the last is overdue (the server was down), else when it is due.
// A restart therefore neither skips a backup nor makes an extra one.
func firstBackupWait(last, now time.Time, every time.Duration) time.Duration {
	if last.IsZero() {
		return 0
	}
	since := now.Sub(last)
	if since >= every || since < 0 { // a clock set back: do not wait longer than every
		return 0
	}
	return every - since
}

// RunOnce makes one backup, records its outcome in settings for the dashboard, logs a
// failure at ERROR level, and prunes old backups after a success.
func (s *backupScheduler) RunOnce(ctx context.Context) error {
	at := s.Now()
	dst := filepath.Join(s.Dir, backupFilePrefix+at.UTC().Format(backupTimeLayout)+backupFileSuffix)
	stats, err := s.DB.Backup(ctx, dst)
	s.Metrics.BackupDone(err)
	if err != nil {
		if ctx.Err() != nil {
			return err // shutting down: not a failure of the backup
		}
		s.Log.Error("AUTOMATIC BACKUP FAILED: the newsroom's archive is not being saved", "dir", s.Dir, "err", err)
		if rerr := s.DB.RecordBackup(context.WithoutCancel(ctx), at, "", err); rerr != nil {
			s.Log.Error("record backup failure", "err", rerr)
		}
		return err
	}
	if rerr := s.DB.RecordBackup(ctx, at, stats.Path, nil); rerr != nil {
		s.Log.Error("record backup success", "err", rerr)
	}
	s.Log.Info("backup done", "file", stats.Path, "bytes", stats.Size, "counts", stats.String())
	removed, perr := pruneBackups(s.Dir, s.Keep)
	if perr != nil {
		s.Log.Warn("prune old backups", "dir", s.Dir, "err", perr)
	}
	for _, f := range removed {
		s.Log.Info("old backup removed", "file", f)
	}
	return nil
}

// pruneBackups deletes all but the newest keep automatic backups in dir. Only files
// named like the scheduler's own are touched.
func pruneBackups(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		stamp, ok := strings.CutPrefix(name, backupFilePrefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if stamp, ok = strings.CutSuffix(stamp, backupFileSuffix); !ok {
			continue
		}
		if _, err := time.Parse(backupTimeLayout, stamp); err != nil {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	var removed []string
	var errs []error
	for len(names) > keep {
		path := filepath.Join(dir, names[0])
		if err := os.Remove(path); err != nil {
			errs = append(errs, err)
		} else {
			removed = append(removed, path)
		}
		names = names[1:]
	}
	return removed, errors.Join(errs...)
}
