package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Comment statuses.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentRejected = "rejected"
	CommentSpam     = "spam"
	CommentDeleted  = "deleted"
)

// Comment is a reader's comment. Phone, IP and UserAgent are for moderators only.
type Comment struct {
	ID          int64
	ArticleID   int64
	ParentID    int64
	Name        string
	Phone       string
	Title       string
	Body        string
	Status      string
	IP          string
	UserAgent   string
	CreatedAt   time.Time
	ModeratedBy int64
	ModeratedAt time.Time
	LikeCount   int
	StaffID     int64 // set on a newsroom reply: the staff account that wrote it
}

// Newsroom reports whether the comment is the newsroom's reply.
func (c Comment) Newsroom() bool { return c.StaffID != 0 }

// ApprovedComments lists an article's approved comments, oldest first.
func (d *DB) ApprovedComments(ctx context.Context, articleID int64) ([]Comment, error) {
	rows, err := d.r.QueryContext(ctx, `SELECT id, article_id, name, title, body, created_at, coalesce(moderated_at, 0)
		FROM comments WHERE article_id = ? AND status = 'approved' ORDER BY created_at, id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("db: comments of %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		var created, moderated int64
		if err := rows.Scan(&c.ID, &c.ArticleID, &c.Name, &c.Title, &c.Body, &created, &moderated); err != nil {
			return nil, fmt.Errorf("db: comments of %d: %w", articleID, err)
		}
		c.CreatedAt = fromUnix(created)
		if moderated != 0 {
			c.ModeratedAt = fromUnix(moderated)
		}
		c.Status = CommentApproved
		out = append(out, c)
	}
	return out, rows.Err()
}

func insertComment(ctx context.Context, tx txRunner, c Comment) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO comments (article_id, parent_id, name, phone, title, body, status,
		ip, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ArticleID, nullID(c.ParentID), c.Name, c.Phone, c.Title, c.Body, c.Status, c.IP, c.UserAgent, unix(c.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("db: insert comment on %d: %w", c.ArticleID, err)
	}
	if c.Status == CommentApproved {
		// One more, in the same transaction as the insert: recounting here read every
		// approved comment of the article on each post, so posting slowed as a thread grew.
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET comment_count = comment_count + 1,
			comments_version = comments_version + 1 WHERE id = ?`, c.ArticleID); err != nil {
			return 0, fmt.Errorf("db: count comments of %d: %w", c.ArticleID, err)
		}
	}
	return res.LastInsertId()
}

// refreshCommentCount recounts an article's approved comments (moderation changes
// statuses in any direction, and a recount cannot drift) and bumps its comments version.
func refreshCommentCount(ctx context.Context, tx *sql.Tx, articleID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE articles SET comment_count =
		(SELECT count(*) FROM comments WHERE article_id = ? AND status = 'approved'),
		comments_version = comments_version + 1 WHERE id = ?`, articleID, articleID)
	if err != nil {
		return fmt.Errorf("db: count comments of %d: %w", articleID, err)
	}
	return nil
}

// InsertComment stores a comment and returns its id.
func (d *DB) InsertComment(ctx context.Context, c Comment) (int64, error) {
	var id int64
	err := d.inTxQuiet(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertComment(ctx, tx, c)
		return err
	})
	if err == nil && c.Status == CommentApproved {
		d.changed(Change{CommentsOf: []int64{c.ArticleID}})
	}
	return id, err
}

// ErrDuplicateComment is returned when the same text was posted on the same article
// within the duplicate window.
var ErrDuplicateComment = errors.New("db: duplicate comment")

// ErrCommentsClosed is a reader's comment on an article whose comments are closed.
var ErrCommentsClosed = errors.New("db: comments are closed on this article")

// ReaderCommentOptions are the rules PostReaderComment applies inside its transaction.
type ReaderCommentOptions struct {
	// DuplicateSince: a comment with the same body on the same article created at or
	// after this time makes the post a duplicate. Zero turns the check off.
	DuplicateSince time.Time
	// ApproveKnown publishes the comment at once when the same name and (non-empty) phone
	// already have an approved comment: the "first-time" moderation mode.
	ApproveKnown bool
	// FormToken identifies the fill-time token the post came with; when set it is spent
	// in the same transaction as the insert, and a token spent before makes the post
	// ErrFormTokenUsed. It is remembered until FormTokenExpires.
	FormToken        []byte
	FormTokenExpires time.Time
}

// ErrFormTokenUsed is PostReaderComment's answer to a fill-time token already spent.
var ErrFormTokenUsed = errors.New("db: form token already used")

// PostReaderComment stores a reader's comment: the duplicate check, the first-time
// check, the token and the insert happen in one immediate transaction, so concurrent
// posts of the same text (or with the same token) cannot both pass. It returns the
// comment as stored (id and final status) once it is committed.
//
// Posts arriving together share a transaction (group commit): the first in line commits
// every post queued behind it, each inside a savepoint of its own, so one refused post
// (a duplicate, a spent token, comments closed) leaves the others as they are. The
// commit — most of a post's time on the single writer — is paid once per batch, so posts
// a second grow with the load instead of queuing one commit at a time.
func (d *DB) PostReaderComment(ctx context.Context, c Comment, o ReaderCommentOptions) (Comment, error) {
	req := &postRequest{ctx: ctx, c: c, o: o, wake: make(chan struct{})}
	b := &d.posts
	b.mu.Lock()
	b.queue = append(b.queue, req)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if !lead {
		<-req.wake
		if req.finished {
			return req.c, req.err
		}
		// Handed the lead: req is first in the queue.
	}
	b.mu.Lock()
	n := min(len(b.queue), maxPostBatch)
	batch := append([]*postRequest(nil), b.queue[:n]...)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	b.mu.Unlock()

	d.commitPosts(batch)

	b.mu.Lock()
	if len(b.queue) > 0 {
		close(b.queue[0].wake) // the next in line leads; b.leading stays true
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	return req.c, req.err
}

// maxPostBatch bounds a group commit, and so how long the posts in it wait for it.
const maxPostBatch = 64

// postQueue is the line of reader posts waiting for the writer (see PostReaderComment).
type postQueue struct {
	mu      sync.Mutex
	queue   []*postRequest
	leading bool // a post is committing a batch; the others wait to be woken
}

// postRequest is one reader post in the line, and then its result.
type postRequest struct {
	ctx      context.Context
	c        Comment
	o        ReaderCommentOptions
	err      error
	finished bool
	wake     chan struct{} // closed when finished, or when it is handed the lead
}

// commitPosts stores a batch of reader posts in one transaction, each in a savepoint, and
// wakes their writers. A post whose reader gave up before its turn is not stored.
func (d *DB) commitPosts(batch []*postRequest) {
	defer func() {
		for i, r := range batch {
			r.finished = true
			if i > 0 { // batch[0] is the leader, who is not waiting
				close(r.wake)
			}
		}
	}()
	tx, err := d.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.err = err
		}
		return
	}
	stmts := newStmtCache(tx, &d.wKept)
	defer func() {
		stmts.close()
		tx.Rollback() // after a commit, a no-op
		stmts.keep(context.Background())
	}()
	if err := pruneFormTokens(stmts, batch); err != nil {
		for _, r := range batch {
			r.err = err
		}
		return
	}
	stored := 0
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		// Never cancelled halfway: an interrupted statement rolls back the whole
		// transaction, the other readers' posts with it.
		ctx := context.WithoutCancel(r.ctx)
		if len(batch) == 1 {
			r.c, r.err = postInTx(ctx, stmts, r.c, r.o)
		} else if _, err := stmts.ExecContext(ctx, `SAVEPOINT post`); err != nil {
			r.err = err
		} else {
			r.c, r.err = postInTx(ctx, stmts, r.c, r.o)
			if r.err != nil {
				if _, err := stmts.ExecContext(ctx, `ROLLBACK TO post`); err != nil {
					r.err = errors.Join(r.err, err)
				}
			}
			if _, err := stmts.ExecContext(ctx, `RELEASE post`); err != nil && r.err == nil {
				r.err = err
			}
		}
		if r.err == nil {
			stored++
		}
	}
	if stored == 0 {
		return
	}
	if err := tx.Commit(); err != nil {
		for _, r := range batch {
			if r.err == nil {
				r.c, r.err = Comment{}, err
			}
		}
		return
	}
	var published []int64
	for _, r := range batch {
		if r.err == nil && r.c.Status == CommentApproved && !slices.Contains(published, r.c.ArticleID) {
			published = append(published, r.c.ArticleID)
		}
	}
	if len(published) > 0 {
		d.changed(Change{CommentsOf: published, ReaderPost: true})
	}
}

// txRunner runs statements inside a transaction: *sql.Tx, or a stmtCache over one.
type txRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// stmtCache runs a transaction's statements prepared: a batch of posts runs the same
// statements for every post, and parsing them again each time was a fifth of the
// writer's time. A statement kept on the writer's connection (keptStatements) is reused
// across transactions; one seen for the first time is prepared for this transaction and
// kept once it ends (keep), as the pool's only connection is busy until then.
type stmtCache struct {
	tx    *sql.Tx
	kept  *keptStatements
	stmts map[string]*sql.Stmt
	new   []string // queries to keep after the transaction
}

func newStmtCache(tx *sql.Tx, kept *keptStatements) *stmtCache {
	return &stmtCache{tx: tx, kept: kept, stmts: map[string]*sql.Stmt{}}
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if parent, ok := c.kept.lookup(query); ok {
		st = c.tx.StmtContext(ctx, parent) // the writer's prepared statement, not a new one
	} else {
		var err error
		if st, err = c.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.new = append(c.new, query)
	}
	c.stmts[query] = st
	return st, nil
}

// ExecContext runs query as a prepared statement of the transaction.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext runs query as a prepared statement of the transaction (a statement that
// cannot be prepared is run directly, so its error comes back through Scan).
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return c.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// close releases the transaction's statements (kept ones stay prepared on the connection).
func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// keep prepares, on the writer's pool, the statements this transaction met for the first
// time. Call it after the transaction ended: it needs the writer's connection.
func (c *stmtCache) keep(ctx context.Context) {
	for _, q := range c.new {
		c.kept.stmt(ctx, q) // a failure only means the next batch prepares it again
	}
}

// postInTx is one reader post inside the writer's transaction: the rules, then the insert.
func postInTx(ctx context.Context, tx txRunner, c Comment, o ReaderCommentOptions) (Comment, error) {
	// Checked here, not only by the handler: an editor may close comments or withdraw
	// the article while a reader is typing, and the handler's view of the article may be
	// a second old (handlers keep heads briefly).
	var closed, public bool
	if err := tx.QueryRowContext(ctx, `SELECT comments_closed, coalesce(status = 'published' AND publish_at <= ?, 0)
		FROM articles WHERE id = ?`, unix(c.CreatedAt), c.ArticleID).Scan(&closed, &public); err != nil {
		return Comment{}, fmt.Errorf("db: comments closed on %d: %w", c.ArticleID, notFound(err))
	}
	if !public {
		return Comment{}, fmt.Errorf("db: comment on %d: article not public: %w", c.ArticleID, ErrNotFound)
	}
	if closed {
		return Comment{}, ErrCommentsClosed
	}
	if !o.DuplicateSince.IsZero() {
		var dup int
		// substr(body, 1, 64) is the indexed expression (migration 006); SQLite counts
		// characters there, as firstRunes does.
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM comments
			WHERE article_id = ? AND substr(body, 1, 64) = ? AND created_at >= ?
			  AND body = ? AND status <> 'deleted'`,
			c.ArticleID, firstRunes(c.Body, 64), unix(o.DuplicateSince), c.Body).Scan(&dup)
		if err != nil {
			return Comment{}, fmt.Errorf("db: duplicate check on %d: %w", c.ArticleID, err)
		}
		if dup > 0 {
			return Comment{}, ErrDuplicateComment
		}
	}
	if o.ApproveKnown && c.Status != CommentApproved && c.Phone != "" {
		var known int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM comments
			WHERE phone = ? AND name = ? AND status = 'approved' AND phone <> ''`, c.Phone, c.Name).Scan(&known)
		if err != nil {
			return Comment{}, fmt.Errorf("db: known commenter check: %w", err)
		}
		if known > 0 {
			c.Status = CommentApproved
		}
	}
	if len(o.FormToken) > 0 {
		if err := spendFormToken(ctx, tx, o.FormToken, o.FormTokenExpires); err != nil {
			return Comment{}, err
		}
	}
	id, err := insertComment(ctx, tx, c)
	if err != nil {
		return Comment{}, err
	}
	c.ID = id
	return c, nil
}

// pruneFormTokens forgets the spent tokens that expired before the batch's first post
// that spends one: once a batch, not once a post (a statement of seven on every post).
// An expired token is refused by its age before it gets here, so one kept a moment longer
// changes nothing.
func pruneFormTokens(tx txRunner, batch []*postRequest) error {
	var since time.Time
	for _, r := range batch {
		if len(r.o.FormToken) > 0 && (since.IsZero() || r.c.CreatedAt.Before(since)) {
			since = r.c.CreatedAt
		}
	}
	if since.IsZero() {
		return nil
	}
	if _, err := tx.ExecContext(context.Background(), `DELETE FROM used_form_tokens WHERE expires_at < ?`, unix(since)); err != nil {
		return fmt.Errorf("db: prune used form tokens: %w", err)
	}
	return nil
}

// spendFormToken records a fill-time token as used (commitPosts forgets expired ones); a
// token recorded before is ErrFormTokenUsed. Inside the comment's transaction, so of
// concurrent posts with one token exactly one is stored.
func spendFormToken(ctx context.Context, tx txRunner, mac []byte, expires time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO used_form_tokens (mac, expires_at) VALUES (?, ?) ON CONFLICT (mac) DO NOTHING`,
		mac, unix(expires))
	if err != nil {
		return fmt.Errorf("db: spend form token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrFormTokenUsed
	}
	return nil
}

// Kinds of comment_blocks rows.
const (
	BlockIP    = "ip"
	BlockPhone = "phone"
)

// CommentBlocked reports whether the address or the (normalized) phone number may not
// comment at now. An empty phone never matches. The answer is kept for blockVerdictTTL
// (see blockVerdicts); a block or unblock through this DB is seen at once.
func (d *DB) CommentBlocked(ctx context.Context, ip, phone string, now time.Time) (bool, error) {
	key := blockKey{ip: ip, phone: phone}
	blocked, gen, ok := d.blocks.Get(key, now)
	if ok {
		return blocked, nil
	}
	var n int
	err := d.rKept.QueryRowContext(ctx, `SELECT count(*) FROM comment_blocks
		WHERE (kind = 'ip' AND value = ?) OR (kind = 'phone' AND value = ? AND value <> '')`, ip, phone).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("db: comment blocks: %w", err)
	}
	d.blocks.Put(key, n > 0, gen, now)
	return n > 0, nil
}

// blockVerdictTTL is how long CommentBlocked's answer for an address and phone serves
// the same sender's next posts (DB.blocks). Each post asked the database, and since every
// commit drops the readers' page caches, that read went back to the file: 9 % of a post's
// CPU in a profile of posting with 100,000 pending. A block made by another process (the
// command line, a restore) reaches this one within it.
const blockVerdictTTL = time.Second

// blockVerdictsMax bounds the answers kept.
const blockVerdictsMax = 4096

type blockKey struct{ ip, phone string }

// CommentListVersion is a short version of an article's public comments: it changes
// with every write that changes them (published, moderated, edited, removed). Polling
// readers compare it instead of downloading the list again.
func (d *DB) CommentListVersion(ctx context.Context, articleID int64) (string, error) {
	v, _, err := d.CommentListState(ctx, articleID)
	return v, err
}

// CommentListState is CommentListVersion with the number of approved comments: one row,
// whatever the thread's length.
func (d *DB) CommentListState(ctx context.Context, articleID int64) (string, int, error) {
	var count, version int64
	err := d.rKept.QueryRowContext(ctx, `SELECT comment_count, comments_version FROM articles WHERE id = ?`,
		articleID).Scan(&count, &version)
	if err != nil {
		return "", 0, fmt.Errorf("db: comment list version of %d: %w", articleID, notFound(err))
	}
	return strconv.FormatInt(count, 36) + "-" + strconv.FormatInt(version, 36), int(count), nil
}

// InitSetting stores value under key unless the key already has one, and returns the
// value in force: two processes starting at once agree on the first one written.
func (d *DB) InitSetting(ctx context.Context, key, value string) (string, error) {
	if _, err := d.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", fmt.Errorf("db: init setting %q: %w", key, err)
	}
	var v string
	if err := d.w.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("db: init setting %q: %w", key, err)
	}
	return v, nil
}

// firstRunes is the first n characters of s, as SQLite's substr(s, 1, n) counts them.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
