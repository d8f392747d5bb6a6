package vntext

import (
	"strconv"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// numberPrinter formats numbers the Vietnamese way. Its own empty catalog keeps it
// independent of message.DefaultCatalog; a Printer is safe for concurrent use.
var numberPrinter = message.NewPrinter(language.Vietnamese, message.Catalog(catalog.NewBuilder()))

// FormatDateTime formats t as "15:04 02/01/2006" (24-hour clock, zero padded), e.g.
// "10:57 04/12/2019", in t's own location: convert to the site's zone first.
func FormatDateTime(t time.Time) string {
	return t.Format("15:04 02/01/2006")
}

// FormatDate formats t as day/month/year, e.g. "04/12/2019", in t's own location.
func FormatDate(t time.Time) string {
	return t.Format("02/01/2006")
}

// WeekdayName returns the Vietnamese name of d ("Thứ Hai" … "Thứ Bảy", "Chủ Nhật"), or ""
// for a value outside time.Sunday..time.Saturday.
func WeekdayName(d time.Weekday) string {
	switch d {
	case time.Monday:
		return "Thứ Hai"
	case time.Tuesday:
		return "Thứ Ba"
	case time.Wednesday:
		return "Thứ Tư"
	case time.Thursday:
		return "Thứ Năm"
	case time.Friday:
		return "Thứ Sáu"
	case time.Saturday:
		return "Thứ Bảy"
	case time.Sunday:
		return "Chủ Nhật"
	}
	return ""
}

// FormatLongDate formats t as weekday and date, e.g. "Thứ Bảy, 28/11/2026", in t's own
// location.
func FormatLongDate(t time.Time) string {
	return WeekdayName(t.Weekday()) + ", " + FormatDate(t)
}

// FormatInt formats n with "." as the thousands separator, e.g. "12.345", "-1.234.567".
func FormatInt(n int64) string {
	if -1000 < n && n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	return numberPrinter.Sprintf("%d", n)
}

// RelativeTime describes how long before now t was, for lists and comments: "vừa xong"
// (under a minute, or in the future), "5 phút trước", "3 giờ trước", "2 ngày trước" (under
// 7 days, counted in 24-hour periods), and FormatDateTime(t) beyond that.
func RelativeTime(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "vừa xong"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " phút trước"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " giờ trước"
	case d < 7*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " ngày trước"
	}
	return FormatDateTime(t)
}
