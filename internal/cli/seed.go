package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"toasoan/db"
	"toasoan/internal/seed"
)

// seedCommand writes synthetic content: `toasoan seed -data DIR -articles N -comments M`.
func seedCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", envOr("TOASOAN_DATA", "./data"), "data directory holding toasoan.db [TOASOAN_DATA]")
	articles := fs.Int("articles", 1000, "articles to generate")
	comments := fs.Int("comments", 0, "approved comments to spread over the new articles")
	seedValue := fs.Uint64("seed", 1, "random seed; the same seed gives the same content")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "toasoan seed: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *articles < 0 || *comments < 0 || *articles > 10_000_000 || *comments > 100_000_000 {
		fmt.Fprintln(stderr, "toasoan seed: -articles and -comments must be between 0 and 10,000,000 / 100,000,000")
		return 2
	}
	ctx := context.Background()
	d, err := db.Open(ctx, *dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "toasoan seed:", err)
		return 1
	}
	defer d.Close()
	start := time.Now()
	last := time.Now()
	res, err := seed.Run(ctx, d, seed.Options{Articles: *articles, Comments: *comments, Seed: *seedValue},
		func(done, total int) {
			if time.Since(last) > time.Second || done == total {
				fmt.Fprintf(stdout, "%d/%d rows\n", done, total)
				last = time.Now()
			}
		})
	if err != nil {
		fmt.Fprintln(stderr, "toasoan seed:", err)
		return 1
	}
	fmt.Fprintf(stdout, "seeded %d sections, %d articles, %d comments in %s\n",
		res.Sections, res.Articles, res.Comments, time.Since(start).Round(time.Millisecond))
	return 0
}
