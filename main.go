// Command toasoan is a news portal for small newsrooms in one executable: the public
// site, reader comments and the back office, with one SQLite file beside it.
package main

import (
	"os"

	"toasoan/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(cli.Run(version, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
