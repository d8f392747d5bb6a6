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

	"toasoan/db"
	"toasoan/demo"
	"toasoan/vntext"
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
	var ids []int64
	for start := 0; start < opts.Articles; start += batchSize {
		n := min(batchSize, opts.Articles-start)
		err := d.InBulk(ctx, func(b *db.Bulk) error {
			for i := range n {
				title := sentence(rng, titleParts, 10+rng.IntN(6))
				at := opts.Now.Add(-time.Duration(rng.Int64N(int64(730 * 24 * time.Hour))))
				id, err := b.AddArticle(db.Article{
					Slug:       vntext.SlugOr(title, "bai-viet") + fmt.Sprintf("-s%d", start+i),
					Title:      title,
					Lead:       sentence(rng, bodyParts, 25+rng.IntN(15)) + ".",
					BodyHTML:   body(rng),
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
					Title:     sentence(rng, titleParts, 4+rng.IntN(4)),
					Body:      sentence(rng, bodyParts, 15+rng.IntN(40)) + ".",
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

// sentence strings n words from a bank, capitalised.
func sentence(rng *rand.Rand, bank []string, n int) string {
	words := make([]string, 0, n)
	for len(words) < n {
		words = append(words, strings.Fields(bank[rng.IntN(len(bank))])...)
	}
	s := strings.Join(words[:n], " ")
	r := []rune(s)
	if len(r) > 0 {
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	}
	return string(r)
}

func body(rng *rand.Rand) string {
	var sb strings.Builder
	for range 3 + rng.IntN(3) {
		sb.WriteString("<p>")
		for range 2 + rng.IntN(3) {
			sb.WriteString(html.EscapeString(sentence(rng, bodyParts, 12+rng.IntN(14))))
			sb.WriteString(". ")
		}
		sb.WriteString("</p>\n")
	}
	return sb.String()
}

var titleParts = []string{
	"huyện Sông Lam", "triển khai", "kế hoạch", "phát triển kinh tế", "nông thôn mới", "chuyển đổi số",
	"hội nghị", "tổng kết", "năm học mới", "tiêm chủng", "phòng chống dịch", "đường giao thông",
	"xã Tân Phú", "thị trấn", "sản phẩm OCOP", "hỗ trợ", "người nghèo", "lễ hội truyền thống",
	"bảo hiểm y tế", "cải cách hành chính", "thu hoạch lúa", "mùa mưa lũ", "an toàn thực phẩm",
	"khánh thành", "trường học", "trạm y tế", "đoàn công tác", "Đà Nẵng", "chất độc da cam",
	"hòa giải ở cơ sở", "Hai Bà Trưng", "thanh niên tình nguyện", "phụ nữ", "cựu chiến binh",
}

var bodyParts = []string{
	"theo báo cáo của Ủy ban nhân dân huyện", "trong năm qua", "các xã, thị trấn đã", "tích cực triển khai",
	"nhiều mô hình hiệu quả", "góp phần nâng cao đời sống", "của nhân dân trên địa bàn", "đến nay",
	"toàn huyện có", "hộ gia đình", "được hỗ trợ kinh phí", "với tổng số tiền", "hơn một tỷ đồng",
	"lãnh đạo huyện đề nghị", "các phòng, ban chuyên môn", "tiếp tục phối hợp chặt chẽ",
	"đẩy mạnh tuyên truyền", "người dân đồng tình hưởng ứng", "đường bê tông liên thôn",
	"cánh đồng lúa chất lượng cao", "học sinh đến trường đầy đủ", "cán bộ y tế xã", "thăm hỏi, động viên",
	"kịp thời tháo gỡ khó khăn", "vướng mắc trong giải phóng mặt bằng", "dương tính", "bà con nông dân",
	"nước sạch nông thôn", "điện chiếu sáng", "an ninh trật tự được giữ vững", "Tết vì người nghèo",
}

var bylines = []string{"Minh Anh", "Hoàng Yến", "Đình Khoa", "Bảo Ngọc", "Thu Hà", "Quang Vinh", "Lê Thị Thanh Huyền"}

var names = []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng", "Phạm Thu Trang", "Đặng Quốc Việt",
	"Vũ Thị Lan", "Bùi Minh Đức", "Đỗ Hải Yến", "Hồ Văn Tâm", "Ngô Thị Mai", "Dương Văn Khiêm"}
