package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"toasoan/views"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"golang.org/x/sync/semaphore"

	"toasoan/db"
	"toasoan/internal/antispam"
)

// Session lengths: an idle editor is logged out after two hours, anyone after twelve.
const (
	sessionIdleTimeout = 2 * time.Hour
	sessionLifetime    = 12 * time.Hour
)

// Session keys.
const (
	sessUserID = "uid"
	sessGen    = "gen"
	sessFlash  = "flash"
)

// backOffice is the state the admin side needs beyond App: sessions, the cross-origin
// guard, the article HTML policy and the one-time setup token.
type backOffice struct {
	sessions *scs.SessionManager
	cop      *http.CrossOriginProtection

	// decoding bounds the memory of all image decodes together: each upload holds its
	// estimated bytes (imaging.Header.Memory) while it is processed, so one huge picture
	// waits for the others instead of piling on, and small ones pass beside each other.
	decoding *semaphore.Weighted
	// passwords lets one login's bcrypt run at a time: anyone can ask for a password
	// check (each failure still counts), and bcrypt on every core at once would starve
	// the readers; a flood of logins waits here instead.
	passwords *semaphore.Weighted

	mu         sync.Mutex
	setupToken string // "" when no setup link is open
}

// newBackOffice sets up sessions in the database's sessions table. The store's cleanup
// goroutine stops when ctx ends.
func newBackOffice(ctx context.Context, a *App) *backOffice {
	store := sqlite3store.NewWithCleanupInterval(a.DB.Writer(), 10*time.Minute)
	go func() { <-ctx.Done(); store.StopCleanup() }()
	sm := scs.New()
	sm.Store = store
	sm.IdleTimeout = sessionIdleTimeout
	sm.Lifetime = sessionLifetime
	sm.Cookie.Name = "toasoan_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // closing the browser ends the session
	if strings.HasPrefix(a.Config.BaseURL, "https://") {
		// __Host- cookies must be Secure, host-only and for "/": a subdomain cannot set them.
		sm.Cookie.Name = "__Host-toasoan_session"
		sm.Cookie.Secure = true
	}
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { a.fail(w, r, err) }
	b := &backOffice{sessions: sm, decoding: semaphore.NewWeighted(decodeBudget),
		passwords: semaphore.NewWeighted(1)}
	b.cop = http.NewCrossOriginProtection()
	b.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.renderError(w, r, http.StatusForbidden, "Yêu cầu bị từ chối vì được gửi từ một trang web khác.")
	}))
	return b
}

// roleRank orders roles so "at least editor" is a comparison.
func roleRank(role string) int {
	switch role {
	case db.RoleAdmin:
		return 3
	case db.RoleEditor:
		return 2
	case db.RoleAuthor:
		return 1
	}
	return 0
}

// roleLabel is a role's Vietnamese name.
func roleLabel(role string) string {
	switch role {
	case db.RoleAdmin:
		return "Quản trị"
	case db.RoleEditor:
		return "Biên tập viên"
	case db.RoleAuthor:
		return "Phóng viên"
	}
	return role
}

// adminCSP is the site's policy plus a per-request style nonce (kept for any element a
// back-office script must insert; the editor inserts none) and blob: images for previews
// of pasted pictures. No 'unsafe-inline': style attributes stay refused.
func adminCSP(nonce string) string {
	return contentSecurityPolicy(" 'nonce-"+nonce+"'", " blob:", "'none'")
}

type nonceKey struct{}

// sessionLoadedKey marks a request whose session was loaded (a refusal by the cross-origin
// check happens before, and must not read it).
type sessionLoadedKey struct{}

// adminChain wraps a back-office handler: no caching, the admin CSP, cross-origin
// refusal of state changes (before the session is even read), then the session.
func (a *App) adminChain(next http.Handler) http.Handler {
	loaded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionLoadedKey{}, true)))
	})
	h := a.back.sessions.LoadAndSave(loaded)
	h = a.back.cop.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := randomToken(16)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", adminCSP(nonce))
		w.Header().Add("Vary", hxRequest)
		ctx := context.WithValue(r.Context(), nonceKey{}, nonce)
		// The reader's address as the comment path sees it: behind a proxy listed in
		// -trusted-proxies, from X-Forwarded-For; login throttling and the audit log use it.
		ctx = context.WithValue(ctx, clientIPKey{}, antispam.ClientIP(r, a.Config.TrustedProxies))
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// clientIPKey holds the client address adminChain worked out.
type clientIPKey struct{}

// adminFunc is a back-office handler that gets the signed-in user.
type adminFunc func(w http.ResponseWriter, r *http.Request, u db.User) error

// errAdminForbidden is the 403 of a role that may not do something.
func errAdminForbidden() error {
	return &Error{Status: http.StatusForbidden, Message: "Tài khoản của bạn không có quyền thực hiện thao tác này."}
}

// requireRole runs fn for a signed-in user whose role is at least minRole. Without a
// valid session a page request is sent to the login page (htmx gets HX-Redirect).
func (a *App) requireRole(minRole string, fn adminFunc) http.Handler {
	return a.adminChain(a.handle(func(w http.ResponseWriter, r *http.Request) error {
		u, ok, err := a.currentUser(r)
		if err != nil {
			return err
		}
		if !ok {
			target := views.AdminLogin
			if r.Method == http.MethodGet && r.URL.Path != views.AdminRoot && r.URL.Path != views.AdminDashboard {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			if isHTMX(r) {
				w.Header().Set(hxRedirect, target)
				w.WriteHeader(http.StatusUnauthorized)
				return nil
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		if roleRank(u.Role) < roleRank(minRole) {
			return errAdminForbidden()
		}
		return fn(w, r, u)
	}))
}

// currentUser reads the session's user; a disabled user, a changed session generation
// (password reset, role change) or a deleted user ends the session.
func (a *App) currentUser(r *http.Request) (db.User, bool, error) {
	ctx := r.Context()
	id := a.back.sessions.GetInt64(ctx, sessUserID)
	if id == 0 {
		return db.User{}, false, nil
	}
	u, err := a.DB.UserByID(ctx, id)
	if errors.Is(err, db.ErrNotFound) || err == nil && (u.Disabled || u.SessionGen != a.back.sessions.GetInt64(ctx, sessGen)) {
		return db.User{}, false, a.back.sessions.Destroy(ctx)
	}
	if err != nil {
		return db.User{}, false, err
	}
	return u, true, nil
}

// adminActor is the audit identity of a request's user.
func adminActor(r *http.Request, u db.User) db.Actor {
	return db.Actor{UserID: u.ID, UserName: u.Name, IP: adminIP(r)}
}

// adminIP is the client's address: from X-Forwarded-For only when the peer is a trusted
// proxy (-trusted-proxies), otherwise the connection's own.
func adminIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok && ip != "" {
		return ip
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// adminData is what every back-office page gets besides its own data.
type adminData struct {
	User    db.User
	Nonce   string
	Menu    string // the menu item to highlight
	Pending int    // comments waiting for moderation, shown in the menu
	Flash   string
	Data    any
}

// Can reports whether the page's user has at least a role (for showing menu items).
func (d adminData) Can(role string) bool { return roleRank(d.User.Role) >= roleRank(role) }

// RoleLabel is a role's Vietnamese name.
func (adminData) RoleLabel(role string) string { return roleLabel(role) }

// renderAdmin renders a whole back-office page in the admin layout (block "admin").
func (a *App) renderAdmin(w http.ResponseWriter, r *http.Request, status int, page, title, menu string, u db.User, data any) error {
	ad, err := a.adminPageData(r, u, menu, data)
	if err != nil {
		return err
	}
	p := a.newPage(r, title)
	p.Main = ad
	body, err := a.Views.Fragment(page, "admin", p)
	if err != nil {
		return err
	}
	a.writeHTML(w, status, body)
	return nil
}

func (a *App) adminPageData(r *http.Request, u db.User, menu string, data any) (adminData, error) {
	ad := adminData{User: u, Menu: menu, Data: data}
	ad.Nonce, _ = r.Context().Value(nonceKey{}).(string)
	if u.ID != 0 {
		ad.Flash = a.back.sessions.PopString(r.Context(), sessFlash)
		if roleRank(u.Role) >= roleRank(db.RoleEditor) {
			n, err := a.DB.CountCommentsByStatus(r.Context(), db.CommentPending)
			if err != nil {
				return ad, err
			}
			ad.Pending = n
		}
	}
	return ad, nil
}

// flash stores a one-time notice for the next page.
func (a *App) flash(r *http.Request, msg string) { a.back.sessions.Put(r.Context(), sessFlash, msg) }

// adminSeeOther redirects after a successful POST (303), or tells htmx to.
func adminSeeOther(w http.ResponseWriter, r *http.Request, target string) {
	if isHTMX(r) {
		w.Header().Set(hxRedirect, target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
