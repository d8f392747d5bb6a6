package wxr

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"time"

	"toasoan/db"
	"toasoan/internal/imaging"
)

// refs are the pictures the imported posts use, gathered by the first pass: attachment
// ids (featured images, wp-image-N classes, gallery ids) and <img> addresses.
type refs struct {
	attachments map[string]bool
	srcs        map[string]bool
	galleries   map[string]bool // posts with a [gallery] of their own attachments
}

var galleryIDs = regexp.MustCompile(`\[gallery\b[^\]]*\b(?:ids|include)\s*=\s*["']?([0-9,\s]+)`)

// note records the pictures an imported post uses.
func (r *refs) note(it *Item) {
	if id := strings.TrimSpace(it.MetaValue("_thumbnail_id")); id != "" {
		r.attachments[id] = true
	}
	content := it.Content()
	if strings.Contains(content, "[gallery") {
		r.galleries[strings.TrimSpace(it.PostID)] = true
	}
	for _, m := range galleryIDs.FindAllStringSubmatch(content, -1) {
		for _, id := range strings.Split(m[1], ",") {
			if id = strings.TrimSpace(id); id != "" {
				r.attachments[id] = true
			}
		}
	}
	for _, tag := range imgTag.FindAllString(content, -1) {
		if c := wpImageCls.FindStringSubmatch(tag); c != nil {
			r.attachments[c[1]] = true
		}
		if m := imgSrc.FindStringSubmatch(tag); m != nil {
			r.srcs[strings.TrimSpace(html.UnescapeString(strings.Trim(m[2], `"'`)))] = true
		}
	}
}

// mediaImporter brings the pictures posts use from a copy of wp-content/uploads into the
// media library, before any article is written, and then answers which stored image an
// attachment or an address became.
type mediaImporter struct {
	byAttachment map[string]int64
	byPath       map[string]int64 // by path under uploads/
	missing      map[string]bool
	stored       int
}

// uploadsPath is the part of a WordPress upload's address after /wp-content/uploads/
// (or after the old multisite /files/), "" for other addresses.
func uploadsPath(abs string) string {
	u, err := url.Parse(abs)
	if err != nil {
		return ""
	}
	p := u.Path
	if unescaped, err := url.PathUnescape(p); err == nil {
		p = unescaped
	}
	i := strings.Index(p, "/wp-content/uploads/")
	if i < 0 {
		return ""
	}
	rel := path.Clean(p[i+len("/wp-content/uploads/"):])
	if rel == "." || strings.HasPrefix(rel, "../") || rel == ".." || strings.HasPrefix(rel, "/") {
		return ""
	}
	return rel
}

// resized matches WordPress's resized copies (photo-300x200.jpg) and big-image copies
// (photo-scaled.jpg): the original beside them is the better picture to keep.
var resized = regexp.MustCompile(`-(?:[0-9]+x[0-9]+|scaled)(\.[A-Za-z0-9]+)$`)

func newMediaImporter(ctx context.Context, d *db.DB, dir string, pl *plan, rf *refs, resolve func(string) string) (*mediaImporter, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("-uploads: %w", err)
	}
	defer root.Close()
	m := &mediaImporter{byAttachment: map[string]int64{}, byPath: map[string]int64{}, missing: map[string]bool{}}
	by := db.Actor{UserName: "import-wxr"}
	store := func(rel, alt, caption string) (int64, error) {
		if id, ok := m.byPath[rel]; ok {
			return id, nil
		}
		if m.missing[rel] {
			return 0, nil
		}
		data, err := readUpload(root, rel)
		if err != nil {
			m.missing[rel] = true
			return 0, nil
		}
		res, err := imaging.Process(data)
		if _, refused := imaging.IsRefusal(err); refused {
			m.missing[rel] = true
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		nm := db.NewMedia{SHA256: res.SHA256, Filename: path.Base(rel), MIME: res.MIME, Width: res.Width, Height: res.Height, Data: res.Data}
		for _, v := range res.Variants {
			nm.Variants = append(nm.Variants, db.MediaVariant{Width: v.Width, MIME: v.MIME, Data: v.Data})
		}
		id, created, err := d.StoreMedia(ctx, by, time.Now(), nm)
		if err != nil {
			return 0, err
		}
		// The attachment's alt text and caption go to the library; an image stored before
		// (an earlier run, an editor's upload) keeps what it has.
		if created {
			m.stored++
			if alt != "" || caption != "" {
				if err := d.UpdateMediaMeta(ctx, by, time.Now(), id, db.MediaMeta{Alt: alt, Caption: caption}); err != nil {
					return 0, err
				}
			}
		}
		m.byPath[rel] = id
		return id, nil
	}
	// The original of a resized copy when the copy of uploads has it, else the copy.
	pick := func(rel string) string {
		if orig := resized.ReplaceAllString(rel, "$1"); orig != rel {
			if _, err := root.Stat(orig); err == nil {
				return orig
			}
		}
		return rel
	}
	for id, a := range pl.attachments {
		if rf.galleries[a.parent] {
			rf.attachments[id] = true
		}
	}
	for id := range rf.attachments {
		a, ok := pl.attachments[id]
		if !ok {
			continue
		}
		rel := uploadsPath(resolve(a.url))
		if rel == "" {
			continue
		}
		mid, err := store(pick(rel), a.alt, a.caption)
		if err != nil {
			return nil, err
		}
		if mid != 0 {
			m.byAttachment[id] = mid
			m.byPath[rel] = mid
		}
	}
	for src := range rf.srcs {
		rel := uploadsPath(resolve(src))
		if rel == "" {
			continue
		}
		mid, err := store(pick(rel), "", "")
		if err != nil {
			return nil, err
		}
		if mid != 0 {
			m.byPath[rel] = mid
		}
	}
	return m, nil
}

// readUpload reads a file under the uploads copy (os.Root refuses paths and links that
// leave it), bounded by the largest upload the media library takes.
func readUpload(root *os.Root, rel string) ([]byte, error) {
	f, err := root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fs.ErrInvalid
	}
	data, err := io.ReadAll(io.LimitReader(f, imaging.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > imaging.MaxBytes {
		return nil, errors.New("too large")
	}
	return data, nil
}

// find is the stored image for an attachment id or an absolute address, 0 when none.
func (m *mediaImporter) find(attID, abs string) int64 {
	if id, ok := m.byAttachment[attID]; ok && attID != "" {
		return id
	}
	if rel := uploadsPath(abs); rel != "" {
		return m.byPath[rel]
	}
	return 0
}
