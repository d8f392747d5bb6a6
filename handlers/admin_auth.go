package handlers

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"toasoan/views"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// Login throttling: a few free failures, then each further attempt must wait twice as
// long as the one before, up to a cap (so a lockout never lasts long enough to be a
// denial of service on its own). An address gets more free failures than an account,
// since a newsroom often shares one address.
const (
	freeFailuresUser = 5
	freeFailuresIP   = 20
	backoffBase      = 30 * time.Second
	backoffCap       = 30 * time.Minute
)

// Form limits of the login and setup forms.
const (
	maxAdminForm   = 64 << 10
	maxUserNameLen = 100
)

// loginBackoff is how long after the last failure the next attempt must wait.
func loginBackoff(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	n := failures - free
	if n > 20 {
		return backoffCap
	}
	d := time.Duration(float64(backoffBase) * math.Pow(2, float64(n)))
	return min(d, backoffCap)
}

// claimLoginAttempt counts an attempt against the name and the address before the
// password is checked (atomically: see db.ClaimLoginAttempt). It returns when they may
// try again, or zero when this attempt may go ahead.
func (a *App) claimLoginAttempt(ctx context.Context, name, ip string, now time.Time) (time.Time, error) {
	var keys []db.ThrottleKey
	for _, k := range []db.ThrottleKey{{Kind: db.ThrottleUser, Key: name}, {Kind: db.ThrottleIP, Key: ip}} {
		if k.Key != "" {
			keys = append(keys, k)
		}
	}
	return a.DB.ClaimLoginAttempt(ctx, now, keys, func(kind string, n int, last time.Time) time.Time {
		free := freeFailuresUser
		if kind == db.ThrottleIP {
			free = freeFailuresIP
		}
		if n < free {
			return time.Time{}
		}
		return last.Add(loginBackoff(n, free))
	})
}

// loginForm is the login page's data.
type loginForm struct {
	Name  string
	Next  string
	Error string
}

// safeNext keeps only back-office paths as the after-login destination (no open redirect).
func safeNext(s string) string {
	if strings.HasPrefix(s, views.AdminRoot) && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") && len(s) < 500 {
		return s
	}
	return views.AdminDashboard
}

func (a *App) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := a.currentUser(r); err != nil {
		return err
	} else if ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return a.renderAdmin(w, r, http.StatusOK, "admin_login", "Đăng nhập", "", db.User{}, loginForm{Next: safeNext(r.URL.Query().Get("next"))})
}

// badCredentials is the one message for every failed login: it never says whether the
// name exists.
const badCredentials = "Tên đăng nhập hoặc mật khẩu không đúng."

func (a *App) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	ctx, now := r.Context(), a.Now()
	name := strings.ToLower(strings.TrimSpace(vntext.Normalize(r.PostFormValue("name"))))
	password := r.PostFormValue("password")
	form := loginForm{Name: name, Next: safeNext(r.PostFormValue("next"))}
	if len(name) > maxUserNameLen {
		form.Name = ""
	}
	ip := adminIP(r)
	if name == "" || password == "" || len(name) > maxUserNameLen {
		form.Error = "Vui lòng nhập tên đăng nhập và mật khẩu."
		return a.renderAdmin(w, r, http.StatusUnprocessableEntity, "admin_login", "Đăng nhập", "", db.User{}, form)
	}
	retry, err := a.claimLoginAttempt(ctx, name, ip, now)
	if err != nil {
		return err
	}
	if !retry.IsZero() {
		wait := retry.Sub(now).Round(time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		form.Error = fmt.Sprintf("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %s (khoảng %s nữa).",
			retry.In(a.Views.Location()).Format("15:04:05"), waitInWords(wait))
		if err := a.DB.Audit(ctx, db.Actor{IP: ip}, now, "login.throttled", db.ObjectUser, 0, name); err != nil {
			return err
		}
		return a.renderAdmin(w, r, http.StatusTooManyRequests, "admin_login", "Đăng nhập", "", db.User{}, form)
	}
	if err := a.back.passwords.Acquire(ctx, 1); err != nil {
		return err
	}
	u, err := a.DB.Authenticate(ctx, name, password)
	a.back.passwords.Release(1)
	if errors.Is(err, db.ErrBadCredentials) {
		if err := a.DB.RecordLoginFailure(ctx, db.Actor{IP: ip}, now, name); err != nil {
			return err
		}
		form.Error = badCredentials
		return a.renderAdmin(w, r, http.StatusUnprocessableEntity, "admin_login", "Đăng nhập", "", db.User{}, form)
	}
	if err != nil {
		return err
	}
	if err := a.startSession(r, u); err != nil {
		return err
	}
	if err := a.DB.RecordLogin(ctx, adminActor(r, u), now); err != nil {
		return err
	}
	http.Redirect(w, r, form.Next, http.StatusSeeOther)
	return nil
}

// startSession issues a new session token (so a token planted before login is useless)
// and binds the user to it.
func (a *App) startSession(r *http.Request, u db.User) error {
	ctx := r.Context()
	if err := a.back.sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.back.sessions.Put(ctx, sessUserID, u.ID)
	a.back.sessions.Put(ctx, sessGen, u.SessionGen)
	return nil
}

func (a *App) logout(w http.ResponseWriter, r *http.Request, u db.User) error {
	ctx := r.Context()
	if err := a.back.sessions.RenewToken(ctx); err != nil {
		return err
	}
	if err := a.back.sessions.Destroy(ctx); err != nil {
		return err
	}
	if err := a.DB.Audit(ctx, adminActor(r, u), a.Now(), "logout", db.ObjectUser, u.ID, ""); err != nil {
		return err
	}
	adminSeeOther(w, r, views.AdminLogin)
	return nil
}

// waitInWords says a wait in Vietnamese words: "45 giây", "3 phút".
func waitInWords(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))) + " giây"
	}
	return strconv.Itoa(int(math.Ceil(d.Minutes()))) + " phút"
}

// parseAdminForm reads an urlencoded form body of at most limit bytes.
func parseAdminForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Message: "Dữ liệu gửi lên vượt quá giới hạn cho phép."}
		}
		return errBadRequest("Dữ liệu biểu mẫu không hợp lệ.")
	}
	return nil
}

// BootstrapAccounts prepares the first login: with demo content an admin with a random
// password (printed once in the log); with no accounts at all a one-time setup link,
// valid until used or until the process restarts.
func (a *App) BootstrapAccounts(ctx context.Context, withDemo bool, siteURL string) error {
	n, err := a.DB.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if withDemo {
		pw := randomToken(12)
		if _, err := a.DB.CreateUser(ctx, db.Actor{UserName: "demo"}, a.Now(), db.NewUser{
			Name: "admin", DisplayName: "Quản trị viên", Role: db.RoleAdmin, Password: pw}); err != nil {
			return err
		}
		a.Log.Info("demo admin created: this password is shown only once", "name", "admin", "password", pw,
			"login", siteURL+views.AdminLogin)
		return nil
	}
	token := randomToken(24)
	a.back.mu.Lock()
	a.back.setupToken = token
	a.back.mu.Unlock()
	a.Log.Warn("no accounts yet: open this one-time link to create the first admin",
		"link", siteURL+views.AdminSetup+"?token="+token)
	return nil
}

// checkSetupToken compares in constant time; an empty or used token never matches.
func (a *App) checkSetupToken(tok string) bool {
	a.back.mu.Lock()
	defer a.back.mu.Unlock()
	return a.back.setupToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(a.back.setupToken)) == 1
}

// takeSetupToken checks the token and uses it up in one step, so of many requests
// carrying it at once exactly one goes on to create the first admin.
func (a *App) takeSetupToken(tok string) bool {
	a.back.mu.Lock()
	defer a.back.mu.Unlock()
	if a.back.setupToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(a.back.setupToken)) != 1 {
		return false
	}
	a.back.setupToken = ""
	return true
}

// restoreSetupToken gives the token back when the admin it was taken for could not be
// created (the form was wrong, or the database failed): the link keeps working.
func (a *App) restoreSetupToken(tok string) {
	a.back.mu.Lock()
	defer a.back.mu.Unlock()
	a.back.setupToken = tok
}

// setupForm is the first-admin form's data.
type setupForm struct {
	Token       string
	Name        string
	DisplayName string
	Errors      map[string]string
}

func (a *App) setupPage(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("token")
	if !a.checkSetupToken(tok) {
		return &Error{Status: http.StatusNotFound, Message: "Liên kết thiết lập không hợp lệ hoặc đã được dùng."}
	}
	return a.renderAdmin(w, r, http.StatusOK, "admin_setup", "Tạo tài khoản quản trị đầu tiên", "", db.User{}, setupForm{Token: tok})
}

func (a *App) setup(w http.ResponseWriter, r *http.Request) error {
	if err := parseAdminForm(w, r, maxAdminForm); err != nil {
		return err
	}
	ctx, now := r.Context(), a.Now()
	tok := r.PostFormValue("token")
	if !a.checkSetupToken(tok) {
		return &Error{Status: http.StatusNotFound, Message: "Liên kết thiết lập không hợp lệ hoặc đã được dùng."}
	}
	f := setupForm{Token: tok, Errors: map[string]string{}}
	nu := a.readUserForm(r, &f.Name, &f.DisplayName, f.Errors)
	nu.Role = db.RoleAdmin
	if len(f.Errors) > 0 {
		return a.renderAdmin(w, r, http.StatusUnprocessableEntity, "admin_setup", "Tạo tài khoản quản trị đầu tiên", "", db.User{}, f)
	}
	if !a.takeSetupToken(tok) {
		return &Error{Status: http.StatusNotFound, Message: "Liên kết thiết lập không hợp lệ hoặc đã được dùng."}
	}
	id, err := a.DB.CreateFirstAdmin(ctx, db.Actor{IP: adminIP(r), UserName: nu.Name}, now, nu)
	if errors.Is(err, db.ErrNotFirstUser) {
		return &Error{Status: http.StatusNotFound, Message: "Liên kết thiết lập không hợp lệ hoặc đã được dùng."}
	}
	if err != nil {
		a.restoreSetupToken(tok)
		if userFormError(err, f.Errors) {
			return err
		}
		return a.renderAdmin(w, r, http.StatusUnprocessableEntity, "admin_setup", "Tạo tài khoản quản trị đầu tiên", "", db.User{}, f)
	}
	u, err := a.DB.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := a.startSession(r, u); err != nil {
		return err
	}
	http.Redirect(w, r, views.AdminDashboard, http.StatusSeeOther)
	return nil
}

// msgInvisibleName refuses a display name made only of characters that show nothing.
const msgInvisibleName = "Tên hiển thị phải có chữ nhìn thấy được (không chỉ gồm khoảng trắng hay ký tự vô hình)."

// readUserForm reads name, display_name, password and password2, checking each; errors
// go into errs by field.
func (a *App) readUserForm(r *http.Request, name, display *string, errs map[string]string) db.NewUser {
	*name = strings.ToLower(strings.TrimSpace(vntext.Normalize(r.PostFormValue("name"))))
	*display = strings.TrimSpace(vntext.Normalize(r.PostFormValue("display_name")))
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	switch {
	case *name == "":
		errs["name"] = "Vui lòng nhập tên đăng nhập."
	case !db.ValidUserName(*name):
		errs["name"] = "Tên đăng nhập gồm 2–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."
		if len(*name) > maxUserNameLen {
			*name = ""
		}
	}
	switch {
	case len([]rune(*display)) > maxUserNameLen:
		errs["display_name"] = "Tên hiển thị tối đa 100 ký tự."
	case *display != "" && vntext.IsBlank(*display):
		errs["display_name"] = msgInvisibleName
	}
	switch {
	case pw == "":
		errs["password"] = "Vui lòng nhập mật khẩu."
	case errors.Is(db.CheckPasswordStrength(pw), db.ErrWeakPassword):
		errs["password"] = fmt.Sprintf("Mật khẩu cần ít nhất %d ký tự.", db.MinPasswordLength)
	case errors.Is(db.CheckPasswordStrength(pw), db.ErrLongPassword):
		errs["password"] = fmt.Sprintf("Mật khẩu tối đa %d byte.", db.MaxPasswordBytes)
	case pw != pw2:
		errs["password2"] = "Hai lần nhập mật khẩu không khớp."
	}
	return db.NewUser{Name: *name, DisplayName: *display, Password: pw}
}

// userFormError turns a known user-write error into a field message; it reports true
// when err is unexpected (and must be returned).
func userFormError(err error, errs map[string]string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, db.ErrDuplicateName):
		errs["name"] = "Tên đăng nhập này đã có người dùng."
	case errors.Is(err, db.ErrInvalidUserName):
		errs["name"] = "Tên đăng nhập không hợp lệ."
	case errors.Is(err, db.ErrWeakPassword), errors.Is(err, db.ErrLongPassword):
		errs["password"] = "Mật khẩu không đạt yêu cầu."
	case errors.Is(err, db.ErrLastAdmin):
		errs["role"] = "Không thể hạ quyền hoặc khóa quản trị viên cuối cùng."
	default:
		return true
	}
	return false
}
