package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
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

// userCommand manages newsroom accounts from the shell; it reads passwords from stdin.
func userCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, userUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", envOr("TOASOAN_DATA", "./data"), "data directory holding toasoan.db [TOASOAN_DATA]")
	var name, role, display *string
	switch sub {
	case "add":
		name = fs.String("name", "", "login name (a-z, 0-9, . - _)")
		role = fs.String("role", "", "admin, editor or author")
		display = fs.String("display", "", "name shown in the back office")
	case "passwd":
		name = fs.String("name", "", "login name")
	case "list":
	default:
		fmt.Fprintf(stderr, "toasoan user: unknown subcommand %q\n\n%s", sub, userUsage)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx := context.Background()
	database, err := db.Open(ctx, *dataDir)
	if err != nil {
		fmt.Fprintln(stderr, "toasoan user:", err)
		return 1
	}
	defer database.Close()
	by := db.Actor{UserName: "cli"}
	now := time.Now()
	switch sub {
	case "list":
		users, err := database.Users(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "toasoan user:", err)
			return 1
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
		if !db.ValidUserName(*name) {
			fmt.Fprintln(stderr, "toasoan user add: -name must be 2-40 characters of a-z, 0-9, '.', '-' or '_'")
			return 2
		}
		if !db.ValidRole(*role) {
			fmt.Fprintln(stderr, "toasoan user add: -role must be admin, editor or author")
			return 2
		}
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "toasoan user add:", err)
			return 1
		}
		_, err = database.CreateUser(ctx, by, now, db.NewUser{Name: *name, DisplayName: vntext.Normalize(*display), Role: *role, Password: pw})
		if err != nil {
			fmt.Fprintln(stderr, "toasoan user add:", describeUserError(err, *name))
			return 1
		}
		fmt.Fprintf(stdout, "user %s (%s) created\n", *name, *role)
		return 0
	default: // passwd
		u, err := database.UserByName(ctx, *name)
		if err != nil {
			fmt.Fprintln(stderr, "toasoan user passwd:", describeUserError(err, *name))
			return 1
		}
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "toasoan user passwd:", err)
			return 1
		}
		if err := database.SetPassword(ctx, by, now, u.ID, pw); err != nil {
			fmt.Fprintln(stderr, "toasoan user passwd:", describeUserError(err, *name))
			return 1
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
