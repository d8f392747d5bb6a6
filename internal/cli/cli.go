// Package cli owns toasoan's subcommands: parsing their flags, wiring the parts together
// for `serve`, and reporting errors to the operator.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the site's zone must work on machines without zoneinfo

	"toasoan/db"
	"toasoan/handlers"
	"toasoan/internal/antispam"
	"toasoan/internal/demo"
	"toasoan/internal/viewcount"
	"toasoan/static"
	"toasoan/views"
)

// siteZone is the default time zone of the site.
const siteZone = "Asia/Ho_Chi_Minh"

const usage = `toasoan — a news portal in one executable.

Usage:
  toasoan [serve] [flags]   run the portal (the default)
  toasoan seed [flags]      generate synthetic articles and comments (benchmarks, trials)
  toasoan user add|passwd|list   manage newsroom accounts
  toasoan version           print the version
  toasoan backup -data DIR FILE      write a verified copy of the live database
  toasoan restore -data DIR FILE     put a backup in place (server stopped)
  toasoan check -data DIR            integrity, schema version, counts, orphaned media
  toasoan export -data DIR FILE      everything public as JSON Lines
  toasoan import-wxr -data DIR FILE  import a WordPress export (WXR)
  toasoan help              this text

Run "toasoan serve -h" for the serve flags.
`

// Run executes the subcommand named first in args (serve when none is named) and returns
// the process's exit code; version is the build's version, "dev" when unset.
func Run(version string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stderr, version)
	case "seed":
		return seedCmd(args, stdout, stderr)
	case "user":
		return userCmd(args, stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "toasoan", buildVersion(version))
		return 0
	case "backup":
		return backupCmd(args, stdout, stderr)
	case "restore":
		return restoreCmd(args, stdout, stderr)
	case "check":
		return checkCmd(args, stdout, stderr)
	case "export":
		return exportCmd(args, stdout, stderr)
	case "import-wxr":
		return importWXRCmd(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "toasoan: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func buildVersion(version string) string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}

// envOr reads an environment variable, or def when it is unset: flags then override it.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// serveOptions is what the serve flags say, checked.
type serveOptions struct {
	addr     string
	dataDir  string
	withDemo bool
	cfg      handlers.Config
	ops      *opsConfig
}

// parseServe reads and checks serve's flags — every check in this one place, before any
// file is touched. A wrong value ends the command with exit code 2 and one line naming
// the flag.
func parseServe(args []string, stderr io.Writer) (opts serveOptions, code int, ok bool) {
	c := newCommand("serve", "", stderr)
	fs := c.flags
	addr := fs.String("addr", envOr("TOASOAN_ADDR", ":8080"), "listen address [TOASOAN_ADDR]")
	withDemo := fs.Bool("demo", false, "load demo content when the database has no articles")
	baseURL := fs.String("base-url", envOr("TOASOAN_BASE_URL", ""), "absolute base URL for links, e.g. https://tin.example.vn [TOASOAN_BASE_URL]")
	frameAncestors := fs.String("frame-ancestors", envOr("TOASOAN_FRAME_ANCESTORS", "'none'"), "who may embed the site in a frame: 'none', 'self' or origins, space-separated [TOASOAN_FRAME_ANCESTORS]")
	// Comments.
	moderation := fs.String("moderation", "", "comment moderation for this run: true (every comment waits), false (publish at once) or first-time; empty uses the site setting")
	withCaptcha := fs.Bool("captcha", true, "require a captcha on the comment form")
	commentRate := fs.Int("comment-rate", 5, "comments a minute per client address; 0 = no limit")
	minFill := fs.Duration("comment-min-fill", 3*time.Second, "refuse comment forms posted sooner than this after they were served")
	trustedProxies := fs.String("trusted-proxies", envOr("TOASOAN_TRUSTED_PROXIES", ""), "comma-separated CIDR list of reverse proxies whose X-Forwarded-For is believed [TOASOAN_TRUSTED_PROXIES]")
	ops := addOpsFlags(fs)
	if code, ok := c.parse(args, 0); !ok {
		return opts, code, false
	}
	fail := func(format string, a ...any) (serveOptions, int, bool) { return opts, c.fail(2, format, a...), false }
	if err := ops.validate(); err != nil {
		return fail("%v", err)
	}
	if err := handlers.ValidFrameAncestors(*frameAncestors); err != nil {
		return fail("-frame-ancestors: %v", err)
	}
	base := strings.TrimSuffix(*baseURL, "/")
	if base != "" && !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return fail("-base-url must start with http:// or https://, got %q", *baseURL)
	}
	if *moderation != "" && !handlers.ValidModeration(*moderation) {
		return fail("-moderation must be true, false or first-time, got %q", *moderation)
	}
	if *minFill <= 0 {
		return fail("-comment-min-fill must be more than 0, got %s", *minFill)
	}
	if *commentRate < 0 {
		return fail("-comment-rate must be 0 or more, got %d", *commentRate)
	}
	proxies, err := antispam.ParseCIDRs(*trustedProxies)
	if err != nil {
		return fail("-trusted-proxies: %v", err)
	}
	return serveOptions{addr: *addr, dataDir: *c.dataDir, withDemo: *withDemo, ops: ops,
		cfg: handlers.Config{BaseURL: base, Moderation: *moderation, CaptchaOff: !*withCaptcha,
			CommentRate: *commentRate, CommentMinFill: *minFill, FrameAncestors: *frameAncestors,
			TrustedProxies: proxies}}, 0, true
}

// serve runs the portal. Mistakes in the flags are reported like every subcommand's (one
// line on stderr, exit 2); once the logger exists, what goes wrong goes through it (exit 1).
func serve(args []string, stderr io.Writer, version string) int {
	opts, code, ok := parseServe(args, stderr)
	if !ok {
		return code
	}
	format := logFormat(stderr, opts.ops.LogFormat)
	if format == "json" {
		// A log collector reads these lines, not a person at a terminal: batch them.
		out := newLogWriter(stderr, logFlushEvery, logBufferBytes)
		defer out.Close()
		stderr = out
	}
	log := newLogger(stderr, format)
	applyMemoryLimit(opts.ops.MemoryLimitMB, log)
	if err := serveWith(log, opts.addr, opts.dataDir, opts.withDemo, opts.cfg, opts.ops, version); err != nil {
		log.Error(err.Error())
		return 1
	}
	return 0
}

func serveWith(log *slog.Logger, addr, dataDir string, withDemo bool, cfg handlers.Config, ops *opsConfig, version string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	loc, err := time.LoadLocation(siteZone)
	if err != nil {
		return fmt.Errorf("load time zone %s: %w", siteZone, err)
	}
	// The lock keeps `toasoan restore` (and a second server) off this data directory.
	lock, err := db.LockDir(dataDir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	database, err := db.Open(ctx, dataDir)
	if err != nil {
		return err
	}
	defer database.Close()
	if withDemo {
		loaded, err := demo.Load(ctx, database, time.Now(), loc)
		if err != nil {
			return fmt.Errorf("load demo content: %w", err)
		}
		if loaded {
			log.Info("demo content loaded", "articles", len(demo.Articles), "sections", len(demo.Sections))
		}
	}
	assets, err := static.New()
	if err != nil {
		return err
	}
	renderer, err := views.New(views.Options{AssetURL: assets.URL, Location: loc})
	if err != nil {
		return err
	}
	// The site zone can change in settings: read it at each flush, not once at start.
	counts := viewcount.New(database.AddViews, func(t time.Time) string { return t.In(renderer.Location()).Format(time.DateOnly) }, log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	defer ln.Close() // Serve closes it too; this covers the start-up errors below
	if cfg.BaseURL == "" {
		// Absolute links never come from a request's Host header (any client could put
		// its own domain into pages the cache then serves everyone): without -base-url
		// they use the address this server listens on.
		cfg.BaseURL = publicURL(ln.Addr(), "")
		log.Warn("no -base-url: absolute links (canonical, feeds, sitemap) use the listen address; set -base-url to the public address", "base", cfg.BaseURL)
	}
	app, err := handlers.New(ctx, database, renderer, assets, log, counts, cfg)
	if err != nil {
		return err
	}
	opsRT, err := startOps(ops, log, database, app.Routes())
	if err != nil {
		return err
	}
	defer opsRT.Stop(context.Background())
	app.Metrics = opsRT.Metrics
	if err := app.BootstrapAccounts(ctx, withDemo, cfg.BaseURL); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           opsRT.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	flushCtx, stopFlush := context.WithCancel(context.Background())
	flushDone := make(chan struct{})
	go func() { counts.Run(flushCtx, 10*time.Second); close(flushDone) }()
	if app.Pages != nil {
		go app.WatchSchedule(flushCtx, 10*time.Second)
	}
	go app.PurgeTrash(flushCtx, time.Hour) // trashed articles go for good after 30 days

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("toasoan is running", "url", cfg.BaseURL, "listen", "http://"+ln.Addr().String(), "database", database.Path(), "version", buildVersion(version))

	select {
	case err := <-serveErr:
		stopFlush()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still running at the deadline were cut", "err", err)
	}
	stopFlush()
	<-flushDone
	if err := counts.Flush(shutdownCtx); err != nil {
		log.Error("final flush of view counts", "err", err)
	}
	log.Info("stopped")
	return nil
}

// publicURL is the address to print for the operator to open.
func publicURL(a net.Addr, baseURL string) string {
	if baseURL != "" {
		return baseURL
	}
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
