package antispam

import (
	"regexp"
)

// linkPattern finds things a reader's browser or a search engine would treat as a link:
// URLs with a scheme, "www." hosts, and bare domains with a common top-level domain.
var linkPattern = regexp.MustCompile(`(?i)\b(?:https?://|ftp://|www\.)[^\s]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|vn|xyz|top|io|co|ru|cn|me|site|online|shop|click|link|ly)\b(?:/[^\s]*)?`)

// CountLinks counts the links in s.
func CountLinks(s string) int {
	return len(linkPattern.FindAllStringIndex(s, -1))
}
