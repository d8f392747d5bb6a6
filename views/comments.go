package views

import (
	"strconv"

	"toasoan/db"
)

// Like is the data of a comment's "Thích" button.
type Like struct {
	Action string // where the button posts
	Count  int
	Liked  bool // this reader's like was just taken (only known in the answer to a like)
}

// LikePath is where a reader likes comment id.
func LikePath(id int64) string { return "/binh-luan/" + strconv.FormatInt(id, 10) + "/thich" }

// LikeOf is the button of a comment as every reader sees it in the shared page.
func LikeOf(c db.Comment) Like { return Like{Action: LikePath(c.ID), Count: c.LikeCount} }
