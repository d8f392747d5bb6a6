package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"toasoan/db"
	"toasoan/internal/metrics"
)

// opsConfig is the operations side of serve: logs, metrics and automatic backups.
type opsConfig struct {
	LogFormat    string
	MetricsAddr  string
	MetricsToken string
	BackupDir    string
	BackupEvery  time.Duration
	BackupKeep   int
	// MemoryLimitMB is the Go runtime's soft memory limit (0: none); GOMEMLIMIT wins.
	MemoryLimitMB int
}

// addOpsFlags declares serve's operations flags on fs.
func addOpsFlags(fs *flag.FlagSet) *opsConfig {
	o := &opsConfig{}
	fs.StringVar(&o.LogFormat, "log-format", envOr("TOASOAN_LOG_FORMAT", ""), "log format: text or json (default: text on a terminal, json otherwise) [TOASOAN_LOG_FORMAT]")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", envOr("TOASOAN_METRICS_ADDR", ""), "serve /metrics on this separate address, e.g. 127.0.0.1:9100 (off when empty) [TOASOAN_METRICS_ADDR]")
	fs.StringVar(&o.MetricsToken, "metrics-token", envOr("TOASOAN_METRICS_TOKEN", ""), "serve /metrics on the main listener to requests with 'Authorization: Bearer TOKEN' [TOASOAN_METRICS_TOKEN]")
	fs.StringVar(&o.BackupDir, "backup-dir", envOr("TOASOAN_BACKUP_DIR", ""), "directory for automatic backups (off when empty) [TOASOAN_BACKUP_DIR]")
	fs.DurationVar(&o.BackupEvery, "backup-every", 24*time.Hour, "time between automatic backups")
	fs.IntVar(&o.BackupKeep, "backup-keep", 7, "automatic backups to keep; older ones are deleted")
	fs.IntVar(&o.MemoryLimitMB, "memory-limit-mb", defaultMemoryLimitMB, "soft limit in MiB on the memory Go manages: the garbage collector works harder near it (0: none; GOMEMLIMIT, when set, wins)")
	return o
}

func (o *opsConfig) validate() error {
	switch {
	case o.LogFormat != "" && o.LogFormat != "text" && o.LogFormat != "json":
		return fmt.Errorf("-log-format must be text or json, got %q", o.LogFormat)
	case o.BackupDir != "" && o.BackupEvery < time.Minute:
		return fmt.Errorf("-backup-every must be at least 1m, got %s", o.BackupEvery)
	case o.BackupDir != "" && o.BackupKeep < 1:
		return fmt.Errorf("-backup-keep must be at least 1, got %d", o.BackupKeep)
	case o.MemoryLimitMB != 0 && o.MemoryLimitMB < 32:
		return fmt.Errorf("-memory-limit-mb must be 0 (none) or at least 32, got %d", o.MemoryLimitMB)
	case o.MetricsToken != "" && len(o.MetricsToken) < 16:
		return errors.New("-metrics-token must be at least 16 characters")
	}
	return nil
}

// defaultMemoryLimitMB keeps the process near 100 MB on the cheapest servers. The Go
// heap needs about 26 MB after a burst of searches on 100,000 articles, plus the page
// caches' budgets (36 MiB together at most, see handlers): the limit sits above both,
// so it never makes the collector run without end; what it stops is the heap doubling
// on garbage under load (the RSS reached 103 MB after a flood of new searches, with 26 MB
// live). SQLite's caches and the binary's mapped code (about 30 MB) come on top.
const defaultMemoryLimitMB = 64

// applyMemoryLimit sets the runtime's soft memory limit unless GOMEMLIMIT already did.
func applyMemoryLimit(mb int, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" || mb == 0 {
		return
	}
	debug.SetMemoryLimit(int64(mb) << 20)
	log.Debug("memory limit", "mib", mb)
}

// newLogger builds the slog logger: text for a person at a terminal, JSON for a log
// collector (journald, docker), or whatever -log-format says.
func newLogger(w io.Writer, format string) *slog.Logger {
	if logFormat(w, format) == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// logFormat is the log format to write to w: the one asked for, else text for a terminal
// and JSON for anything else.
func logFormat(w io.Writer, asked string) string {
	switch {
	case asked != "":
		return asked
	case isTerminal(w):
		return "text"
	}
	return "json"
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// opsRuntime is what startOps started; Stop ends it.
type opsRuntime struct {
	Metrics  *metrics.Metrics // nil when metrics are off
	Handler  http.Handler     // the app's handler, instrumented, with /metrics when token-protected
	Backups  *backupScheduler // nil when automatic backups are off
	stop     context.CancelFunc
	done     chan struct{}
	metricsS *http.Server
}

// startOps wires metrics around the app's handler and starts the metrics listener and the
// backup scheduler.
func startOps(o *opsConfig, log *slog.Logger, database *db.DB, app http.Handler) (*opsRuntime, error) {
	ctx, cancel := context.WithCancel(context.Background())
	rt := &opsRuntime{Handler: app, stop: cancel, done: make(chan struct{})}
	if o.BackupDir != "" {
		if err := os.MkdirAll(o.BackupDir, 0o750); err != nil {
			cancel()
			return nil, fmt.Errorf("-backup-dir: %w", err)
		}
		rt.Backups = &backupScheduler{DB: database, Dir: o.BackupDir, Every: o.BackupEvery, Keep: o.BackupKeep,
			Log: log, Now: time.Now}
	}
	if o.MetricsAddr != "" || o.MetricsToken != "" {
		src := metrics.Sources{Pools: map[string]*sql.DB{"writer": database.Writer(), "reader": database.Reader()}}
		if rt.Backups != nil {
			src.LastBackup = func() time.Time {
				st, err := database.BackupStatus(context.Background())
				if err != nil {
					return time.Time{}
				}
				return st.LastSuccess
			}
		}
		rt.Metrics = metrics.New(prometheus.NewRegistry(), src)
		rt.Handler = rt.Metrics.Instrument(app)
		if rt.Backups != nil {
			rt.Backups.Metrics = rt.Metrics
		}
	}
	if o.MetricsToken != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", rt.Metrics.Handler(o.MetricsToken))
		mux.Handle("/", rt.Handler)
		rt.Handler = mux
	}
	if o.MetricsAddr != "" {
		ln, err := net.Listen("tcp", o.MetricsAddr)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("listen on -metrics-addr %s: %w", o.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", rt.Metrics.Handler(""))
		rt.metricsS = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() {
			if err := rt.metricsS.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener stopped", "err", err)
			}
		}()
		log.Info("metrics listening", "addr", ln.Addr().String(), "path", "/metrics")
	}
	go func() {
		defer close(rt.done)
		if rt.Backups != nil {
			log.Info("automatic backups on", "dir", o.BackupDir, "every", o.BackupEvery.String(), "keep", o.BackupKeep)
			rt.Backups.Run(ctx)
		}
	}()
	return rt, nil
}

// Stop ends the backup scheduler (a backup in progress is abandoned, its partial file
// removed) and the metrics listener.
func (rt *opsRuntime) Stop(ctx context.Context) {
	rt.stop()
	<-rt.done
	if rt.metricsS != nil {
		rt.metricsS.Shutdown(ctx)
	}
}
