package cli

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"toasoan/db"
	"toasoan/internal/wxr"
)

// importWXRCmd is `toasoan import-wxr -data DIR FILE`: a WordPress export becomes
// sections, articles, disabled author accounts and comments.
func importWXRCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("import-wxr", "Usage: toasoan import-wxr [-data DIR] [-uploads DIR] FILE\n\nImports a WordPress export (Tools → Export → All content). The file is checked\nwhole first: a bad file changes nothing. Running it again adds only what is missing.\n\n", stderr)
	batch := c.flags.Int("batch", 200, "posts per transaction")
	uploads := c.flags.String("uploads", "", "a copy of the old site's wp-content/uploads: pictures posts use go into the media library")
	if code, ok := c.parse(args, 1); !ok {
		return code
	}
	if *batch < 1 {
		return c.fail(2, "-batch must be at least 1, got %d", *batch)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	loc, err := time.LoadLocation(siteZone)
	if err != nil {
		return c.fail(1, "%v", err)
	}
	database, err := db.Open(ctx, *c.dataDir)
	if err != nil {
		return c.fail(1, "%v", err)
	}
	defer database.Close()
	progress := newProgress(stderr, isTerminal(stderr))
	sum, n, err := wxr.ImportFile(ctx, database, c.arg(0), wxr.Options{Location: loc, BatchSize: *batch, UploadsDir: *uploads, Progress: progress.update})
	progress.finish()
	if err != nil {
		c.fail(1, "%s: %v", c.arg(0), err)
		if n.Articles+n.Sections+n.Authors+n.Comments+n.Tags+n.Pages == 0 {
			fmt.Fprintln(stderr, "nothing was imported.")
		} else {
			// Only an interruption or a database error gets here: the file was checked whole.
			fmt.Fprintln(stderr, "the batches committed before the interruption stay; run the same command again to finish.")
		}
		return 1
	}
	printImportSummary(stdout, c.arg(0), sum, n, *uploads != "")
	return 0
}

// progress shows an import's progress: a redrawn bar on a terminal, a plain line every
// 10% otherwise (log files and CI should not fill with carriage returns).
type progress struct {
	w        io.Writer
	terminal bool
	lastPct  int
	lastDraw time.Time
	drawn    bool
}

func newProgress(w io.Writer, terminal bool) *progress {
	return &progress{w: w, terminal: terminal, lastPct: -1}
}

func (p *progress) update(done, total int) {
	if total <= 0 {
		return
	}
	pct := done * 100 / total
	if p.terminal {
		if time.Since(p.lastDraw) < 100*time.Millisecond && done != total {
			return
		}
		p.lastDraw = time.Now()
		const width = 30
		fill := done * width / total
		fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct, done, total)
		p.drawn = true
		return
	}
	if step := pct / 10 * 10; step != p.lastPct && (step > p.lastPct) {
		p.lastPct = step
		fmt.Fprintf(p.w, "imported %d/%d items (%d%%)\n", done, total, step)
	}
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// printImportSummary says what the file held, what was created, and what was left out
// by kind, so nothing is dropped without a word.
func printImportSummary(w io.Writer, file string, sum wxr.Summary, n wxr.Counts, uploads bool) {
	fmt.Fprintf(w, "import ok: %s (WXR %s)\n", file, sum.Version)
	fmt.Fprintf(w, "  in the file:   %d posts, %d other items, %d categories, %d tags, %d authors, %d comments\n",
		sum.Posts, sum.Items-sum.Posts, sum.Categories, sum.Tags, sum.Authors, sum.Comments)
	fmt.Fprintf(w, "  created:       %d articles, %d sections, %d authors (disabled), %d comments\n",
		n.Articles, n.Sections, n.Authors, n.Comments)
	fmt.Fprintf(w, "  and:           %d tags, %d static pages, %d featured (sticky in WordPress), %d with comments closed\n",
		n.Tags, n.Pages, n.Featured, n.Closed)
	fmt.Fprintf(w, "  already there: %d (from an earlier import)\n", n.AlreadyThere)
	if n.Protected > 0 {
		fmt.Fprintf(w, "  as drafts:     %d password-protected posts (there are no post passwords here)\n", n.Protected)
	}
	if n.PendingUnknown > 0 {
		fmt.Fprintf(w, "  held:          %d comments without comment_approved wait for moderation\n", n.PendingUnknown)
	}
	img := n.Images
	if uploads {
		fmt.Fprintf(w, "  images:        %d stored in the media library, %d <img> and covers pointed at it, %d not found in -uploads\n",
			img.Stored, img.Rewritten, img.Missing)
	}
	if img.OldHost > 0 || img.Elsewhere > 0 {
		fmt.Fprintf(w, "  images left:   %d <img> still point at the old site (%s), %d at other hosts\n", img.OldHost, sum.BaseSiteURL, img.Elsewhere)
	}
	if img.OldHost > 0 && !uploads {
		fmt.Fprintln(w, "                 (run again with -uploads DIR, a copy of wp-content/uploads, to bring them in)")
	}
	if len(n.Left) > 0 {
		fmt.Fprintln(w, "  not imported:")
		for _, k := range wxr.SortedKinds(n.Left) {
			fmt.Fprintf(w, "    %6d  %s\n", n.Left[k], k)
		}
	}
	if len(n.Shortcodes) > 0 {
		var parts []string
		for _, k := range wxr.SortedKinds(n.Shortcodes) {
			parts = append(parts, fmt.Sprintf("[%s] ×%d", k, n.Shortcodes[k]))
		}
		fmt.Fprintf(w, "  unknown shortcodes left as text: %s\n", strings.Join(parts, ", "))
	}
}
