package db_test

import (
	"fmt"
	"testing"

	"toasoan/db"
)

func TestZZDemoProbe(t *testing.T) {
	d := openDemo(t)
	for _, q := range []string{"ha noi", "hà nội", "bao hiem", "duong sat", "đường sắt", "thu tuc", "thủ tục", "nong thon", "y te", "hoa binh", "da nang", "hoc sinh", "an toan", "giao thong", "du lich", "thuy loi", "chuyen doi so", "hop tac xa", "mua lu", "chat doc da cam"} {
		res := search(t, d, q+" ", db.SearchParams{Limit: 5})
		fmt.Printf("== %q total %d close %d sugg %q\n", q, res.Total, res.Close, res.Suggestion)
		for _, h := range res.Hits {
			fmt.Printf("   %d %v %s | %v\n", h.Article.ID, h.Approximate, h.Article.Title, marked(h))
		}
	}
}
