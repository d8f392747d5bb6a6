package db

import (
	"context"
	"database/sql"
	"sync"
)

// keptStatements keeps the statements of the hot paths prepared, once per connection of
// a pool, for the life of the database. Without it every call parsed its SQL again:
// preparing was a quarter of the CPU of a comment post (the article head, the comment
// blocks, two settings, and the writer's six statements). Only fixed query strings go
// here, never ones built from input, so the set stays small (a few dozen statements on
// each of the pool's connections).
type keptStatements struct {
	pool *sql.DB
	m    sync.Map // query → *sql.Stmt
}

// lookup is the kept statement for query, if it was prepared before.
func (k *keptStatements) lookup(query string) (*sql.Stmt, bool) {
	st, ok := k.m.Load(query)
	if !ok {
		return nil, false
	}
	return st.(*sql.Stmt), true
}

// stmt is the kept statement for query, prepared now if it is new. It needs a free
// connection of the pool: never call it while holding the writer's only one (a
// transaction), see stmtCache.
func (k *keptStatements) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := k.lookup(query); ok {
		return st, nil
	}
	st, err := k.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := k.m.LoadOrStore(query, st); loaded {
		st.Close() // another caller prepared it first
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// QueryRowContext runs query as a kept statement. One that cannot be prepared runs
// directly, so its error comes back through Scan as usual.
func (k *keptStatements) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := k.stmt(ctx, query)
	if err != nil {
		return k.pool.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs query as a kept statement.
func (k *keptStatements) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := k.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// close closes every kept statement (before the pool itself).
func (k *keptStatements) close() {
	k.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}
