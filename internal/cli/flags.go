package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// command is one run of a subcommand: its flag set, holding what every subcommand shares
// (-data, output to stderr, the usage text), and the one way it reports an error.
type command struct {
	name    string // as typed after "toasoan": "backup", "user add"
	flags   *flag.FlagSet
	stderr  io.Writer
	dataDir *string
}

// newCommand starts a subcommand's flags with -data. usage, when not empty, is printed
// above the flag list by -h and after a wrong argument.
func newCommand(name, usage string, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &command{name: name, flags: fs, stderr: stderr}
	c.dataDir = fs.String("data", envOr("TOASOAN_DATA", "./data"), "data directory holding toasoan.db [TOASOAN_DATA]")
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprint(stderr, usage)
			fs.PrintDefaults()
		}
	}
	return c
}

// parse parses args and checks that exactly nargs positional arguments follow the flags.
// ok is false when the command must end with code: 0 after -h, 2 for a wrong flag or
// argument (the flag package, or this, has then said why).
func (c *command) parse(args []string, nargs int) (code int, ok bool) {
	if err := c.flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if c.flags.NArg() != nargs {
		if c.flags.NArg() > nargs {
			c.fail(0, "unexpected argument %q", c.flags.Arg(nargs))
		} else {
			c.fail(0, "missing argument")
		}
		c.flags.Usage()
		return 2, false
	}
	return 0, true
}

// arg is the i-th positional argument.
func (c *command) arg(i int) string { return c.flags.Arg(i) }

// fail reports an error the one way every subcommand does — one line on stderr, "toasoan
// NAME: …" — and returns code, the exit code: 2 for what the operator typed, 1 for what
// went wrong running it.
func (c *command) fail(code int, format string, a ...any) int {
	fmt.Fprintf(c.stderr, "toasoan %s: %s\n", c.name, fmt.Sprintf(format, a...))
	return code
}
