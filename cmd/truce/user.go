package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/auth"
	"github.com/truce-monitor/truce/internal/store"
)

// cliUser is who the log records for changes made on the command line:
// whoever runs it has the database itself.
const cliUser = "cli"

const userSynopsis = `usage:
  truce user add NAME --role ROLE [--party CODE] [--password-stdin]
                                  create a user; prints a new API token once
  truce user passwd NAME          set a user's password, read from standard input
  truce user list                 list users
  truce user disable|enable NAME  stop (and sign out) or restore a user
  truce token add NAME            print a new API token for a user
  truce token revoke TOKEN-or-ID  revoke an API token for good`

// runUser implements `truce user SUBCOMMAND`.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sub, rest := "", args
	if len(args) > 0 {
		sub, rest = args[0], args[1:]
	}
	switch sub {
	case "add":
		return runUserAdd(ctx, rest, stdin, stdout, stderr)
	case "passwd":
		return runUserPasswd(ctx, rest, stdin, stdout, stderr)
	case "list":
		return runUserList(ctx, rest, stdout, stderr)
	case "disable", "enable":
		return runUserDisable(ctx, sub == "disable", rest, stdout, stderr)
	case "-h", "-help", "--help":
		fmt.Fprintln(stdout, userSynopsis)
		return 0
	}
	fmt.Fprintln(stderr, userSynopsis)
	return 2
}

// runToken implements `truce token SUBCOMMAND`.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sub, rest := "", args
	if len(args) > 0 {
		sub, rest = args[0], args[1:]
	}
	switch sub {
	case "add":
		return runTokenAdd(ctx, rest, stdout, stderr)
	case "revoke":
		return runTokenRevoke(ctx, rest, stdout, stderr)
	case "-h", "-help", "--help":
		fmt.Fprintln(stdout, userSynopsis)
		return 0
	}
	fmt.Fprintln(stderr, userSynopsis)
	return 2
}

// userCommand parses a user or token command's flags (--db, logging and
// those extra registers) and opens the store; pos are the positional
// arguments, want of them.
func userCommand(ctx context.Context, cmd string, args []string, want int, stderr io.Writer, extra func(*flag.FlagSet)) (*store.DB, []string, error) {
	fs := newFlagSet(strings.TrimPrefix(cmd, "truce "), userSynopsis, stderr)
	dsn := dbFlag(fs, defaultDB)
	logCfg := logFlags(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if len(pos) != want {
		return nil, nil, usageError(fmt.Sprintf("want %d argument(s), got %d\n%s", want, len(pos), userSynopsis))
	}
	logger, err := logCfg.Logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStore(ctx, *dsn, logger)
	return db, pos, err
}

// runUserAdd creates a user and an API token for it, printed once on
// standard output (and never stored: only its SHA-256 is).
func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const cmd = "truce user add"
	var role, party string
	var withPassword bool
	db, pos, err := userCommand(ctx, cmd, args, 1, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "admin, monitor, liaison or analyst (required)")
		fs.StringVar(&party, "party", "", "the party code a liaison speaks for")
		fs.BoolVar(&withPassword, "password-stdin", false, "also set a password for signing in, read from standard input")
	})
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	u := truce.User{Name: pos[0], Role: truce.Role(role), Party: party}
	if err := u.Validate(); err != nil {
		return fail(stderr, cmd, err)
	}
	var hash string
	if withPassword {
		if hash, err = readPassword(stdin); err != nil {
			return fail(stderr, cmd, err)
		}
	}
	if err := db.CreateUser(ctx, &u, hash, cliUser); err != nil {
		return fail(stderr, cmd, err)
	}
	tok, id, err := newToken(ctx, db, u)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stderr, "created %s %q (user id %d); its API token (token id %d), shown only now:\n", u.Role, u.Name, u.ID, id)
	fmt.Fprintln(stdout, tok)
	return 0
}

// newToken stores a new token of u and returns it with its id.
func newToken(ctx context.Context, db *store.DB, u truce.User) (string, int64, error) {
	tok, h, err := auth.NewToken()
	if err != nil {
		return "", 0, err
	}
	id, err := db.CreateToken(ctx, u.ID, h)
	return tok, id, err
}

// readPassword reads a password, the first line of r, and hashes it.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4*auth.MaxPassword+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	return auth.HashPassword(pw, auth.DefaultParams)
}

// runUserPasswd sets a user's password from standard input; the user's
// sessions end.
func runUserPasswd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const cmd = "truce user passwd"
	db, pos, err := userCommand(ctx, cmd, args, 1, stderr, nil)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	if _, err := db.User(ctx, pos[0]); err != nil {
		return fail(stderr, cmd, err)
	}
	hash, err := readPassword(stdin)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if err := db.SetPassword(ctx, pos[0], hash); err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stdout, "password of %q set\n", pos[0])
	return 0
}

func runUserList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce user list"
	db, _, err := userCommand(ctx, cmd, args, 0, stderr, nil)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	us, err := db.Users(ctx)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	for _, u := range us {
		state := ""
		if u.Disabled {
			state = " (disabled)"
		}
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s%s\n", u.ID, u.Name, u.Role, u.Party, state)
	}
	return 0
}

// runUserDisable disables a user, which ends its sessions and stops its
// tokens, or enables it again; the change is logged.
func runUserDisable(ctx context.Context, disable bool, args []string, stdout, stderr io.Writer) int {
	cmd := "truce user enable"
	if disable {
		cmd = "truce user disable"
	}
	db, pos, err := userCommand(ctx, cmd, args, 1, stderr, nil)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	u, err := db.User(ctx, pos[0])
	if err != nil {
		return fail(stderr, cmd, err)
	}
	u.Disabled = disable
	if _, err := db.UpdateUser(ctx, u, cliUser); err != nil {
		return fail(stderr, cmd, err)
	}
	state := "enabled"
	if disable {
		state = "disabled"
	}
	fmt.Fprintf(stdout, "user %q %s\n", u.Name, state)
	return 0
}

func runTokenAdd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce token add"
	db, pos, err := userCommand(ctx, cmd, args, 1, stderr, nil)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	u, err := db.User(ctx, pos[0])
	if err != nil {
		return fail(stderr, cmd, err)
	}
	tok, id, err := newToken(ctx, db, u)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stderr, "API token (token id %d) of %q, shown only now:\n", id, u.Name)
	fmt.Fprintln(stdout, tok)
	return 0
}

// runTokenRevoke revokes a token given itself or by its id.
func runTokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce token revoke"
	db, pos, err := userCommand(ctx, cmd, args, 1, stderr, nil)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer db.Close()
	arg := pos[0]
	var id int64
	if auth.IsToken(arg) {
		if id, err = db.TokenID(ctx, auth.Hash(arg)); err != nil {
			return fail(stderr, cmd, err)
		}
	} else if id, err = strconv.ParseInt(arg, 10, 64); err != nil || id < 1 {
		return fail(stderr, cmd, truce.Invalid("token", "%q is neither a token (truce_...) nor a token id", arg))
	}
	if err := db.RevokeToken(ctx, id); err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stdout, "token %d revoked\n", id)
	return 0
}

// demoAccounts are the demo mission's users, one per role, so that the
// UI can be tried with each.
var demoAccounts = []truce.User{
	{Name: "admin", Role: truce.RoleAdmin},
	{Name: "monitor", Role: truce.RoleMonitor},
	{Name: "liaison-ua", Role: truce.RoleLiaison, Party: "UA"},
	{Name: "liaison-ru", Role: truce.RoleLiaison, Party: "RU"},
	{Name: "analyst", Role: truce.RoleAnalyst},
}

// ensureDemoAccounts creates the demo accounts that are missing and gives
// them all one new random password, printed on w: a password that lasts
// one run of the demo, so that a demo left listening is not an open door.
func ensureDemoAccounts(ctx context.Context, db *store.DB, w io.Writer) error {
	secret, _, err := auth.NewSession()
	if err != nil {
		return err
	}
	password := secret[:16]
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return err
	}
	var names []string
	for _, u := range demoAccounts {
		if _, err := db.User(ctx, u.Name); truce.ErrorCode(err) == truce.ENOTFOUND {
			if err := db.CreateUser(ctx, &u, hash, "demo"); err != nil {
				return fmt.Errorf("demo account %s: %w", u.Name, err)
			}
		} else if err != nil {
			return err
		} else if err := db.SetPassword(ctx, u.Name, hash); err != nil {
			return fmt.Errorf("demo account %s: %w", u.Name, err)
		}
		names = append(names, u.Name)
	}
	fmt.Fprintf(w, "Demo accounts %s; password for this run: %s\n", strings.Join(names, ", "), password)
	return nil
}
