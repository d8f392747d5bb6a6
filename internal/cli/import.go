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
	c := newCommand("import-wxr", "Usage: toasoan import-wxr [-data DIR] FILE\n\nImports a WordPress export (Tools → Export → All content). The file is checked\nwhole first: a bad file changes nothing. Running it again adds only what is missing.\n\n", stderr)
	batch := c.flags.Int("batch", 200, "posts per transaction")
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
	sum, n, err := wxr.ImportFile(ctx, database, c.arg(0), wxr.Options{Location: loc, BatchSize: *batch, Progress: progress.update})
	progress.finish()
	if err != nil {
		c.fail(1, "%s: %v", c.arg(0), err)
		if wxr.IsFileError(err) && n == (wxr.Counts{}) {
			fmt.Fprintln(stderr, "nothing was imported.")
		} else if n != (wxr.Counts{}) {
			fmt.Fprintln(stderr, "the batches committed before the error stay; run the same command again to finish.")
		}
		return 1
	}
	fmt.Fprintf(stdout, "import ok: %s\n", c.arg(0))
	fmt.Fprintf(stdout, "  in the file:   %d posts, %d other items, %d categories, %d authors, %d comments\n",
		sum.Posts, sum.Items-sum.Posts, sum.Categories, sum.Authors, sum.Comments)
	fmt.Fprintf(stdout, "  created:       %d articles, %d sections, %d authors (disabled), %d comments\n",
		n.Articles, n.Sections, n.Authors, n.Comments)
	fmt.Fprintf(stdout, "  already there: %d (from an earlier import)\n", n.AlreadyThere)
	fmt.Fprintf(stdout, "  skipped:       %d items (pages, attachments, trash), %d comments (spam, trash, pingbacks)\n",
		n.SkippedItems, n.SkippedComments)
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
