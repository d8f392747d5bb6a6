// Package handlers glues requests to the database and the views: routes.go lists every
// URL, middleware.go the request pipeline, and one file per area parses, queries, renders.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"toasoan/db"
	"toasoan/internal/briefcache"
	"toasoan/internal/metrics"
	"toasoan/internal/pagecache"
	"toasoan/internal/viewcount"
	"toasoan/static"
	"toasoan/views"
)

// Config is what the operator sets with flags.
type Config struct {
	// BaseURL is the absolute base of every absolute link (canonical, feeds, sitemap),
	// without a trailing slash. Required: the serve command derives it from the listen
	// address when the operator gives none, never from a request's Host header.
	BaseURL string

	// FrameAncestors is the CSP frame-ancestors source list: who may embed the site in a
	// frame. "" means 'none'. Checked with ValidFrameAncestors.
	FrameAncestors string
	// SitemapMaxURLs is how many URLs one sitemap file holds before /sitemap.xml becomes
	// an index of several; 0 means the protocol's limit of 50,000.
	SitemapMaxURLs int
	NoPageCache    bool // render every public page afresh (benchmarks' baseline, debugging)
	// Comments.
	Moderation     string         // "true", "false", "first-time"; "" uses the site setting
	CaptchaOff     bool           // no captcha on the comment form
	CommentRate    int            // comments a minute per address; 0 = no limit
	TrustedProxies []netip.Prefix // peers whose X-Forwarded-For is believed
	CommentMinFill time.Duration  // forms posted sooner after serving are refused; 0 = 3 s
}

// App is the one dependency struct; every handler is a method on it.
type App struct {
	DB     *db.DB
	Views  *views.Renderer
	Assets *static.Assets
	Log    *slog.Logger
	Counts *viewcount.Counter
	// Pages caches rendered public pages; every content change in DB retires them.
	Pages *pagecache.Cache
	// Searches caches rendered search results the same way, within a budget of its own.
	Searches *pagecache.Cache
	// Feeds caches feeds, sitemaps and robots.txt the same way, within a budget of its own.
	Feeds *pagecache.Cache
	// adminPatterns are the back office's route patterns as Routes registered them
	// ("POST /admin/bai-viet"), for the tests that walk every route.
	adminPatterns []string
	// Metrics counts comments and cache use for /metrics; nil (metrics off) is fine to call.
	Metrics *metrics.Metrics
	Config  Config
	Now     func() time.Time // the clock; tests replace it

	site     atomic.Pointer[views.Site]
	comments *commentKit
	// searching admits searches that must run (not cached) a few at a time: beyond the
	// cores they only contend, and each holds its candidates and bodies in memory.
	searching *semaphore.Weighted
	back      *backOffice                          // sessions and state of the back office (admin.go)
	heads     *briefcache.Cache[int64, db.Article] // public articles' heads for the comment routes (articleheads.go)
}

// Defaults of the site settings.
const (
	DefaultSiteName        = "Cổng thông tin điện tử"
	DefaultSiteDescription = "Tin tức, sự kiện của địa phương"
)

// New builds an App and loads the site settings.
func New(ctx context.Context, d *db.DB, v *views.Renderer, assets *static.Assets, log *slog.Logger, counts *viewcount.Counter, cfg Config) (*App, error) {
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("handlers: base URL must be an absolute http(s) URL, got %q", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	a := &App{DB: d, Views: v, Assets: assets, Log: log, Counts: counts, Config: cfg, Now: time.Now,
		searching: semaphore.NewWeighted(int64(searchSlots()))}
	v.SetLimits(fieldLimits)
	a.heads = newArticleHeads()
	if !cfg.NoPageCache {
		clock := func() time.Time { return a.Now() }
		a.Pages = pagecache.New(pageCacheTTL, pageCacheBytes, clock)
		a.Searches = pagecache.New(pageCacheTTL, searchCacheBytes, clock)
		a.Feeds = pagecache.New(feedCacheTTL, feedCacheBytes, clock)
	}
	d.OnContentChange(a.contentChanged)
	if err := a.ReloadSettings(ctx); err != nil {
		return nil, err
	}
	if err := a.initComments(ctx); err != nil {
		return nil, err
	}
	a.back = newBackOffice(ctx, a)
	if err := a.loadZoneSetting(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// ReloadSettings reads the site's name and description again after they change.
func (a *App) ReloadSettings(ctx context.Context) error {
	name, err := a.DB.Setting(ctx, db.SettingSiteName, DefaultSiteName)
	if err != nil {
		return err
	}
	desc, err := a.DB.Setting(ctx, db.SettingSiteDescription, DefaultSiteDescription)
	if err != nil {
		return err
	}
	legal, err := a.loadLegal(ctx)
	if err != nil {
		return err
	}
	a.site.Store(&views.Site{Name: name, Description: desc, BaseURL: a.Config.BaseURL, Legal: legal})
	return nil
}
