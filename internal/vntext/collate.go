package vntext

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// collators holds Vietnamese collators: a Collator is not safe for concurrent use.
var collators = sync.Pool{New: func() any { return collate.New(language.Vietnamese) }}

// Compare orders a and b by Vietnamese collation: letters in the order of the Vietnamese
// alphabet (a < ă < â < b … d < đ < e …), then tones, then case as a tie-breaker.
// It returns -1, 0 or +1.
func Compare(a, b string) int {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	return c.CompareString(a, b)
}

// SortStrings sorts ss in place by Vietnamese collation (see Compare).
func SortStrings(ss []string) {
	SortFunc(ss, func(s string) string { return s })
}

// SortFunc sorts items in place by the Vietnamese collation (see Compare) of key(item).
// key is called once per item; the sort is stable, and keys that collate equal are
// ordered by their bytes.
func SortFunc[T any](items []T, key func(T) string) {
	if len(items) < 2 {
		return
	}
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)

	type entry struct {
		ckey []byte
		s    string
		i    int
	}
	var buf collate.Buffer
	es := make([]entry, len(items))
	for i, it := range items {
		k := key(it)
		es[i] = entry{ckey: c.KeyFromString(&buf, k), s: k, i: i}
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		if d := bytes.Compare(a.ckey, b.ckey); d != 0 {
			return d
		}
		return strings.Compare(a.s, b.s)
	})
	sorted := make([]T, len(items))
	for j, e := range es {
		sorted[j] = items[e.i]
	}
	copy(items, sorted)
}
