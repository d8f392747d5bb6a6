package views

import (
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"
)

// Back-office path patterns. Each /admin path is written once here: the route table
// registers these patterns, handlers redirect to them through AdminURL, and templates
// reach them by name through adminPath (checked when templates are parsed).
const (
	AdminRoot                   = "/admin"
	AdminDashboard              = "/admin/"
	AdminLogin                  = "/admin/login"
	AdminSetup                  = "/admin/thiet-lap"
	AdminLogout                 = "/admin/logout"
	AdminArticles               = "/admin/bai-viet"
	AdminArticleNew             = "/admin/bai-viet/moi"
	AdminArticle                = "/admin/bai-viet/{id}"
	AdminArticleStatus          = "/admin/bai-viet/{id}/trang-thai"
	AdminArticlePreview         = "/admin/bai-viet/{id}/xem-truoc"
	AdminArticleRevisions       = "/admin/bai-viet/{id}/phien-ban"
	AdminArticleRevisionRestore = "/admin/bai-viet/{id}/phien-ban/{rev}/khoi-phuc"
	AdminArticleTrash           = "/admin/bai-viet/{id}/thung-rac"
	AdminArticlesTrash          = "/admin/bai-viet/thung-rac"
	AdminArticleRestore         = "/admin/bai-viet/{id}/khoi-phuc"
	AdminArticleDelete          = "/admin/bai-viet/{id}/xoa-vinh-vien"
	AdminArticlesBulk           = "/admin/bai-viet/hang-loat"
	AdminFeatured               = "/admin/noi-bat"
	AdminFeaturedRemove         = "/admin/noi-bat/{id}/bo"
	AdminFeaturedMove           = "/admin/noi-bat/{id}/di-chuyen"
	AdminTags                   = "/admin/chu-de"
	AdminTagSuggest             = "/admin/chu-de/goi-y"
	AdminTag                    = "/admin/chu-de/{id}"
	AdminTagDelete              = "/admin/chu-de/{id}/xoa"
	AdminPages                  = "/admin/trang"
	AdminPageNew                = "/admin/trang/moi"
	AdminPage                   = "/admin/trang/{id}"
	AdminPageRevisionRestore    = "/admin/trang/{id}/phien-ban/{rev}/khoi-phuc"
	AdminPageDelete             = "/admin/trang/{id}/xoa"
	AdminProfile                = "/admin/ho-so"
	AdminProfilePassword        = "/admin/ho-so/mat-khau"
	AdminMedia                  = "/admin/anh"
	AdminMediaPicker            = "/admin/anh/chon"
	AdminMediaTrash             = "/admin/anh/thung-rac"
	AdminMediaItem              = "/admin/anh/{id}"
	AdminMediaItemTrash         = "/admin/anh/{id}/xoa"
	AdminMediaItemRestore       = "/admin/anh/{id}/khoi-phuc"
	AdminMediaItemDelete        = "/admin/anh/{id}/xoa-vinh-vien"
	AdminComments               = "/admin/binh-luan"
	AdminCommentAction          = "/admin/binh-luan/{id}/{action}"
	AdminCommentEdit            = "/admin/binh-luan/{id}/sua"
	AdminCommentReply           = "/admin/binh-luan/{id}/tra-loi"
	AdminBlock                  = "/admin/chan"
	AdminUnblock                = "/admin/chan/go"
	AdminSections               = "/admin/chuyen-muc"
	AdminSection                = "/admin/chuyen-muc/{id}"
	AdminSectionMove            = "/admin/chuyen-muc/{id}/di-chuyen"
	AdminUsers                  = "/admin/nguoi-dung"
	AdminUser                   = "/admin/nguoi-dung/{id}"
	AdminUserPassword           = "/admin/nguoi-dung/{id}/mat-khau"
	AdminSettings               = "/admin/cai-dat"
	AdminAudit                  = "/admin/nhat-ky"
)

// adminPaths names the patterns for templates, which cannot see Go constants.
var adminPaths = map[string]string{
	"dashboard":              AdminDashboard,
	"login":                  AdminLogin,
	"setup":                  AdminSetup,
	"logout":                 AdminLogout,
	"articles":               AdminArticles,
	"articleNew":             AdminArticleNew,
	"article":                AdminArticle,
	"articleStatus":          AdminArticleStatus,
	"articlePreview":         AdminArticlePreview,
	"articleRevisions":       AdminArticleRevisions,
	"articleRevisionRestore": AdminArticleRevisionRestore,
	"articleTrash":           AdminArticleTrash,
	"articlesTrash":          AdminArticlesTrash,
	"articleRestore":         AdminArticleRestore,
	"articleDelete":          AdminArticleDelete,
	"articlesBulk":           AdminArticlesBulk,
	"featured":               AdminFeatured,
	"featuredRemove":         AdminFeaturedRemove,
	"featuredMove":           AdminFeaturedMove,
	"tags":                   AdminTags,
	"tagSuggest":             AdminTagSuggest,
	"tag":                    AdminTag,
	"tagDelete":              AdminTagDelete,
	"pages":                  AdminPages,
	"pageNew":                AdminPageNew,
	"page":                   AdminPage,
	"pageRevisionRestore":    AdminPageRevisionRestore,
	"pageDelete":             AdminPageDelete,
	"profile":                AdminProfile,
	"profilePassword":        AdminProfilePassword,
	"media":                  AdminMedia,
	"mediaPicker":            AdminMediaPicker,
	"mediaTrash":             AdminMediaTrash,
	"mediaItem":              AdminMediaItem,
	"mediaItemTrash":         AdminMediaItemTrash,
	"mediaItemRestore":       AdminMediaItemRestore,
	"mediaItemDelete":        AdminMediaItemDelete,
	"comments":               AdminComments,
	"commentAction":          AdminCommentAction,
	"commentEdit":            AdminCommentEdit,
	"commentReply":           AdminCommentReply,
	"block":                  AdminBlock,
	"unblock":                AdminUnblock,
	"sections":               AdminSections,
	"section":                AdminSection,
	"sectionMove":            AdminSectionMove,
	"users":                  AdminUsers,
	"user":                   AdminUser,
	"userPassword":           AdminUserPassword,
	"settings":               AdminSettings,
	"audit":                  AdminAudit,
}

// wildcards counts the {name} segments of a pattern.
func wildcards(pattern string) int { return strings.Count(pattern, "{") }

// AdminURL fills a pattern's {wildcards} in order with args (ids or words); a wrong
// number of args is a programming error, so it panics and tests catch it.
func AdminURL(pattern string, args ...any) string {
	if n := wildcards(pattern); n != len(args) {
		panic(fmt.Sprintf("views: %s needs %d args, got %d", pattern, n, len(args)))
	}
	var b strings.Builder
	rest := pattern
	for _, arg := range args {
		open := strings.IndexByte(rest, '{')
		end := strings.IndexByte(rest[open:], '}') + open
		b.WriteString(rest[:open])
		switch v := arg.(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		case string:
			b.WriteString(v)
		default:
			b.WriteString(fmt.Sprint(v))
		}
		rest = rest[end+1:]
	}
	b.WriteString(rest)
	return b.String()
}

// adminPath is the template func: the named admin path with its wildcards filled.
func adminPath(name string, args ...any) (string, error) {
	pattern, ok := adminPaths[name]
	if !ok {
		return "", fmt.Errorf("views: unknown admin path %q", name)
	}
	if n := wildcards(pattern); n != len(args) {
		return "", fmt.Errorf("views: admin path %q needs %d args, got %d", name, n, len(args))
	}
	return AdminURL(pattern, args...), nil
}

// checkAdminPaths walks parsed templates and rejects any adminPath call whose name is
// not a constant known here or whose argument count is wrong, so a typo stops start-up
// instead of rendering a broken link.
func checkAdminPaths(trees map[string]*parse.Tree) error {
	var err error
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if n == nil || err != nil {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "adminPath" {
				err = checkAdminCall(n)
			}
			for _, a := range n.Args {
				walk(a)
			}
		}
	}
	for name, t := range trees {
		if t == nil {
			continue
		}
		walk(t.Root)
		if err != nil {
			return fmt.Errorf("views: template %s: %w", name, err)
		}
	}
	return nil
}

// checkAdminCall validates one {{adminPath "name" args...}} command.
func checkAdminCall(n *parse.CommandNode) error {
	if len(n.Args) < 2 {
		return fmt.Errorf("adminPath without a name at %s", n)
	}
	s, ok := n.Args[1].(*parse.StringNode)
	if !ok {
		return fmt.Errorf("adminPath name must be a string constant: %s", n)
	}
	pattern, ok := adminPaths[s.Text]
	if !ok {
		return fmt.Errorf("unknown admin path %q in %s", s.Text, n)
	}
	if want, got := wildcards(pattern), len(n.Args)-2; want != got {
		return fmt.Errorf("admin path %q needs %d args, got %d in %s", s.Text, want, got, n)
	}
	return nil
}

// AdminPatterns lists every back-office path pattern, so the route table can check it
// registers each one.
func AdminPatterns() []string {
	out := []string{AdminRoot}
	for _, p := range adminPaths {
		out = append(out, p)
	}
	return out
}

// IsAdminPattern reports whether p is one of the back-office path patterns.
func IsAdminPattern(p string) bool {
	if p == AdminRoot {
		return true
	}
	for _, q := range adminPaths {
		if q == p {
			return true
		}
	}
	return false
}
