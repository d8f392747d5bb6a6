package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"toasoan/db"
	"toasoan/internal/seed"
)

// seedCommand writes synthetic content: `toasoan seed -data DIR -articles N -comments M`.
func seedCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("seed", "", stderr)
	articles := c.flags.Int("articles", 1000, "articles to generate")
	comments := c.flags.Int("comments", 0, "approved comments to spread over the new articles")
	seedValue := c.flags.Uint64("seed", 1, "random seed; the same seed gives the same content")
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	if *articles < 0 || *comments < 0 || *articles > 10_000_000 || *comments > 100_000_000 {
		return c.fail(2, "-articles and -comments must be between 0 and 10,000,000 / 100,000,000")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, *c.dataDir)
	if err != nil {
		return c.fail(1, "%v", err)
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
		return c.fail(1, "%v", err)
	}
	fmt.Fprintf(stdout, "seeded %d sections, %d articles, %d comments in %s\n",
		res.Sections, res.Articles, res.Comments, time.Since(start).Round(time.Millisecond))
	return 0
}
