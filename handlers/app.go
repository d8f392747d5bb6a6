// Package handlers glues requests to the database and the views: routes.go lists every
// URL, middleware.go the request pipeline, and one file per area parses, queries, renders.
package handlers

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"toasoan/db"
	"toasoan/static"
	"toasoan/viewcount"
	"toasoan/views"
)

// Config is what the operator sets with flags.
type Config struct {
	BaseURL string // absolute base URL without trailing slash; "" to derive from requests
}

// App is the one dependency struct; every handler is a method on it.
type App struct {
	DB     *db.DB
	Views  *views.Renderer
	Assets *static.Assets
	Log    *slog.Logger
	Counts *viewcount.Counter
	Config Config
	Now    func() time.Time // the clock; tests replace it

	site atomic.Pointer[views.Site]
	back *backOffice // sessions and state of the back office (admin.go)
}

// Defaults of the site settings.
const (
	DefaultSiteName        = "Cổng thông tin điện tử"
	DefaultSiteDescription = "Tin tức, sự kiện của địa phương"
)

// New builds an App and loads the site settings.
func New(ctx context.Context, d *db.DB, v *views.Renderer, assets *static.Assets, log *slog.Logger, counts *viewcount.Counter, cfg Config) (*App, error) {
	a := &App{DB: d, Views: v, Assets: assets, Log: log, Counts: counts, Config: cfg, Now: time.Now}
	if err := a.ReloadSettings(ctx); err != nil {
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
	a.site.Store(&views.Site{Name: name, Description: desc, BaseURL: a.Config.BaseURL})
	return nil
}
