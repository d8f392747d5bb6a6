// Package seed generates synthetic Vietnamese newsroom content at scale — articles and
// reader comments built from a phrase bank — for benchmarks and for newsrooms trying the
// portal with a realistic volume. It writes through db's bulk writer in batches.
package seed

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"toasoan/db"
	"toasoan/internal/demo"
	"toasoan/internal/vntext"
)

// Options say how much to generate.
type Options struct {
	Articles int
	Comments int
	Seed     uint64    // the same seed gives the same content
	Now      time.Time // articles are spread over the two years before Now
}

// Result counts what was written.
type Result struct {
	Sections, Articles, Comments int
}

// batchSize is the number of rows written per transaction: large enough that commits do
// not dominate, small enough that readers of a live database are not starved.
const batchSize = 2000

// Run writes opts.Articles articles and opts.Comments approved comments spread over them,
// creating the demo sections first when the site has none. progress, when not nil, is called
// after every batch.
func Run(ctx context.Context, d *db.DB, opts Options, progress func(done, total int)) (Result, error) {
	var res Result
	if opts.Articles < 0 || opts.Comments < 0 {
		return res, fmt.Errorf("seed: counts must not be negative")
	}
	if opts.Comments > 0 && opts.Articles == 0 {
		return res, fmt.Errorf("seed: comments need articles")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	cats, err := d.Categories(ctx, true)
	if err != nil {
		return res, err
	}
	if len(cats) == 0 {
		err := d.InBulk(ctx, func(b *db.Bulk) error {
			for i, s := range demo.Sections {
				if _, err := b.AddCategory(db.Category{Slug: s.Slug, Name: s.Name, Position: i + 1}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Sections = len(demo.Sections)
		if cats, err = d.Categories(ctx, true); err != nil {
			return res, err
		}
	}
	total := opts.Articles + opts.Comments
	words := Words()
	var ids []int64
	for start := 0; start < opts.Articles; start += batchSize {
		n := min(batchSize, opts.Articles-start)
		err := d.InBulk(ctx, func(b *db.Bulk) error {
			for i := range n {
				title := capitalize(Sentence(rng, words, 10+rng.IntN(8)))
				at := opts.Now.Add(-time.Duration(rng.Int64N(int64(730 * 24 * time.Hour))))
				id, err := b.AddArticle(db.Article{
					Slug:       vntext.SlugOr(title, "bai-viet") + fmt.Sprintf("-s%d", start+i),
					Title:      title,
					Lead:       capitalize(Sentence(rng, words, 25+rng.IntN(20))) + ".",
					BodyHTML:   body(rng, words),
					Byline:     bylines[rng.IntN(len(bylines))],
					CategoryID: cats[rng.IntN(len(cats))].ID,
					Status:     db.StatusPublished,
					PublishAt:  at,
					Views:      rng.Int64N(20000),
					CreatedAt:  at,
					UpdatedAt:  at,
				})
				ids = append(ids, id)
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Articles += n
		if progress != nil {
			progress(res.Articles, total)
		}
	}
	for start := 0; start < opts.Comments; start += batchSize {
		n := min(batchSize, opts.Comments-start)
		err := d.InBulk(ctx, func(b *db.Bulk) error {
			for range n {
				_, err := b.AddCommentUncounted(db.Comment{
					ArticleID: ids[rng.IntN(len(ids))],
					Name:      names[rng.IntN(len(names))],
					Title:     capitalize(Sentence(rng, words, 4+rng.IntN(4))),
					Body:      capitalize(Sentence(rng, words, 15+rng.IntN(40))) + ".",
					Status:    db.CommentApproved,
					IP:        fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)),
					CreatedAt: opts.Now.Add(-time.Duration(rng.Int64N(int64(700 * 24 * time.Hour)))),
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Comments += n
		if progress != nil {
			progress(res.Articles+res.Comments, total)
		}
	}
	if opts.Comments > 0 {
		if err := d.RecountComments(ctx); err != nil {
			return res, err
		}
	}
	return res, nil
}

// capitalize upper-cases the first letter.
func capitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// body is 3 to 6 paragraphs of sampled text.
func body(rng *rand.Rand, words []string) string {
	var sb strings.Builder
	for range 3 + rng.IntN(4) {
		sb.WriteString("<p>")
		sb.WriteString(html.EscapeString(capitalize(Sentence(rng, words, 40+rng.IntN(60)))))
		sb.WriteString(".</p>\n")
	}
	return sb.String()
}

var bylines = []string{"Minh Anh", "Hoàng Yến", "Đình Khoa", "Bảo Ngọc", "Thu Hà", "Quang Vinh", "Lê Thị Thanh Huyền"}

var names = []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng", "Phạm Thu Trang", "Đặng Quốc Việt",
	"Vũ Thị Lan", "Bùi Minh Đức", "Đỗ Hải Yến", "Hồ Văn Tâm", "Ngô Thị Mai", "Dương Văn Khiêm"}
