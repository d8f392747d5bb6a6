package handlers

import (
	"net/http"
	"strconv"
	"time"

	"toasoan/db"
	"toasoan/internal/vntext"
)

// Dashboard sizes.
const (
	chartDays     = 30
	mostReadDays  = 7
	mostReadCount = 10
)

// dashboardPage is the dashboard's data.
type dashboardPage struct {
	// Backup is shown to admins: a failing automatic backup must be seen, not just logged.
	Backup   *db.BackupStatus
	Counts   map[string]int
	Statuses []statusCount
	Pending  int
	MostRead []db.ArticleViews
	Views    chart
	Comments chart
}

type statusCount struct {
	Status, Label string
	Count         int
}

// chart is a bar chart drawn as SVG by the template: coordinates are computed here so
// the template only places rectangles.
type chart struct {
	Title         string
	Width, Height int
	Bars          []chartBar
	Max           int64
	MaxLabel      string
	FirstDay      string
	LastDay       string
	Total         string
}

type chartBar struct {
	X, Y, W, H int
	Label      string // "28/11: 1.234"
}

const (
	chartWidth  = 600
	chartHeight = 120
)

// newChart lays out one bar per day.
func newChart(title string, days []time.Time, values []int64) chart {
	c := chart{Title: title, Width: chartWidth, Height: chartHeight}
	var total int64
	for _, v := range values {
		c.Max = max(c.Max, v)
		total += v
	}
	c.Total = vntext.FormatInt(total)
	c.MaxLabel = vntext.FormatInt(c.Max)
	if len(days) == 0 {
		return c
	}
	c.FirstDay, c.LastDay = days[0].Format("02/01"), days[len(days)-1].Format("02/01")
	slot := chartWidth / len(days)
	for i, v := range values {
		h := 0
		if c.Max > 0 {
			h = int(v * int64(chartHeight-4) / c.Max)
		}
		if v > 0 && h < 1 {
			h = 1
		}
		c.Bars = append(c.Bars, chartBar{X: i*slot + 1, Y: chartHeight - h, W: max(1, slot-2), H: h,
			Label: days[i].Format("02/01") + ": " + vntext.FormatInt(v)})
	}
	return c
}

// statusLabels are the Vietnamese names of article statuses.
var statusLabels = map[string]string{
	db.StatusDraft:     "Bản nháp",
	db.StatusReview:    "Chờ duyệt",
	db.StatusPublished: "Đã đăng",
	db.StatusArchived:  "Lưu trữ",
}

// listStatusLabels name the states lists and counts show: the statuses, and "Hẹn giờ" for
// published articles whose time has not come (not counted as published).
var listStatusLabels = map[string]string{
	db.StatusDraft:     "Bản nháp",
	db.StatusReview:    "Chờ duyệt",
	db.ListScheduled:   "Hẹn giờ",
	db.StatusPublished: "Đã đăng",
	db.StatusArchived:  "Lưu trữ",
}

var listStatuses = []string{db.StatusDraft, db.StatusReview, db.ListScheduled, db.StatusPublished, db.StatusArchived}

func (a *App) dashboard(w http.ResponseWriter, r *http.Request, u db.User) error {
	ctx, now := r.Context(), a.Now()
	loc := a.Views.Location()
	var authorID int64
	if u.Role == db.RoleAuthor {
		authorID = u.ID
	}
	counts, err := a.DB.ArticleStatusCounts(ctx, authorID, now)
	if err != nil {
		return err
	}
	data := dashboardPage{Counts: counts}
	for _, s := range listStatuses {
		data.Statuses = append(data.Statuses, statusCount{Status: s, Label: listStatusLabels[s], Count: counts[s]})
	}
	today := now.In(loc)
	day0 := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	if data.MostRead, err = a.DB.MostRead(ctx, day0.AddDate(0, 0, -(mostReadDays-1)).Format(time.DateOnly),
		day0.Format(time.DateOnly), mostReadCount); err != nil {
		return err
	}
	if roleRank(u.Role) >= roleRank(db.RoleEditor) {
		if data.Pending, err = a.DB.CountCommentsByStatus(ctx, db.CommentPending); err != nil {
			return err
		}
	}
	if u.Role == db.RoleAdmin {
		st, err := a.DB.BackupStatus(ctx)
		if err != nil {
			return err
		}
		data.Backup = &st
	}
	first := day0.AddDate(0, 0, -(chartDays - 1))
	views, err := a.DB.DailyViews(ctx, first.Format(time.DateOnly), day0.Format(time.DateOnly))
	if err != nil {
		return err
	}
	times, err := a.DB.CommentTimes(ctx, first, day0.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	perDay := map[string]int64{}
	for _, t := range times {
		perDay[t.In(loc).Format(time.DateOnly)]++
	}
	var days []time.Time
	var vv, cc []int64
	for i := range chartDays {
		d := first.AddDate(0, 0, i)
		days = append(days, d)
		vv = append(vv, views[d.Format(time.DateOnly)])
		cc = append(cc, perDay[d.Format(time.DateOnly)])
	}
	data.Views = newChart("Lượt xem mỗi ngày ("+strconv.Itoa(chartDays)+" ngày)", days, vv)
	data.Comments = newChart("Bình luận mỗi ngày ("+strconv.Itoa(chartDays)+" ngày)", days, cc)
	return a.renderAdmin(w, r, http.StatusOK, "admin_dashboard", "Tổng quan", "dashboard", u, data)
}
