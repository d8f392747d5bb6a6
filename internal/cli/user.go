package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"toasoan/db"
	"toasoan/internal/vntext"
)

const userUsage = `Usage:
  toasoan user add    -data DIR -name NAME -role admin|editor|author [-display "Full name"]
  toasoan user passwd -data DIR -name NAME
  toasoan user list   -data DIR

The password is read from standard input (without echo on a terminal); it must have at
least 12 characters.
`

// userCmd manages newsroom accounts from the shell; it reads passwords from stdin.
func userCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, userUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	c := newCommand("user "+sub, "", stderr)
	var name, role, display *string
	switch sub {
	case "add":
		name = c.flags.String("name", "", "login name (a-z, 0-9, . - _)")
		role = c.flags.String("role", "", "admin, editor or author")
		display = c.flags.String("display", "", "name shown in the back office")
	case "passwd":
		name = c.flags.String("name", "", "login name")
	case "list":
	default:
		fmt.Fprintf(stderr, "toasoan user: unknown subcommand %q\n\n%s", sub, userUsage)
		return 2
	}
	if code, ok := c.parse(args, 0); !ok {
		return code
	}
	if sub == "add" {
		if !db.ValidUserName(*name) {
			return c.fail(2, "-name must be 2-40 characters of a-z, 0-9, '.', '-' or '_'")
		}
		if !db.ValidRole(*role) {
			return c.fail(2, "-role must be admin, editor or author")
		}
	}
	ctx := context.Background()
	database, err := db.Open(ctx, *c.dataDir)
	if err != nil {
		return c.fail(1, "%v", err)
	}
	defer database.Close()
	by := db.Actor{UserName: "cli"}
	now := time.Now()
	switch sub {
	case "list":
		users, err := database.Users(ctx)
		if err != nil {
			return c.fail(1, "%v", err)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tDISPLAY NAME\tCREATED")
		for _, u := range users {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, status, u.DisplayName, u.CreatedAt.Format(time.DateOnly))
		}
		tw.Flush()
		return 0
	case "add":
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return c.fail(1, "%v", err)
		}
		_, err = database.CreateUser(ctx, by, now, db.NewUser{Name: *name, DisplayName: vntext.Normalize(*display), Role: *role, Password: pw})
		if err != nil {
			return c.fail(1, "%s", describeUserError(err, *name))
		}
		fmt.Fprintf(stdout, "user %s (%s) created\n", *name, *role)
		return 0
	default: // passwd
		u, err := database.UserByName(ctx, *name)
		if err != nil {
			return c.fail(1, "%s", describeUserError(err, *name))
		}
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return c.fail(1, "%v", err)
		}
		if err := database.SetPassword(ctx, by, now, u.ID, pw); err != nil {
			return c.fail(1, "%s", describeUserError(err, *name))
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions have ended\n", *name)
		return 0
	}
}

func describeUserError(err error, name string) string {
	switch {
	case errors.Is(err, db.ErrDuplicateName):
		return fmt.Sprintf("a user named %q already exists", name)
	case errors.Is(err, db.ErrWeakPassword):
		return fmt.Sprintf("password refused: it needs at least %d characters", db.MinPasswordLength)
	case errors.Is(err, db.ErrLongPassword):
		return fmt.Sprintf("password refused: at most %d bytes", db.MaxPasswordBytes)
	case errors.Is(err, db.ErrNotFound):
		return fmt.Sprintf("no user named %q", name)
	}
	return err.Error()
}

// readPassword reads a password: on a terminal twice and without echo, otherwise the
// first line of stdin (for scripts: `echo "$PW" | toasoan user add ...`).
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Repeat password: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
