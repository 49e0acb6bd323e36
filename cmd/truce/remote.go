package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/client"
)

// envToken is the API token of the remote commands, which talk to a
// running server (envServer, shared with `truce log`) through the Go
// client.
const envToken = "TRUCE_TOKEN"

// maxReportFile bounds a report file: the API's own limit.
const maxReportFile = 1 << 20

// remoteFlags registers --server and --token on fs.
func remoteFlags(fs *flag.FlagSet) (server, token *string) {
	server = fs.String("server", os.Getenv(envServer), "the Truce server's URL, e.g. https://truce.example.org (env "+envServer+")")
	token = fs.String("token", os.Getenv(envToken), "an API token, as `truce user add` prints it (env "+envToken+")")
	return server, token
}

// remoteClient returns a client for the flags; a missing server is a
// usage error.
func remoteClient(server, token string) (*client.Client, error) {
	if server == "" {
		return nil, usageError("--server is required (or " + envServer + ")")
	}
	return client.New(server, token)
}

// runReport implements `truce report add FILE.json`: file a report (the
// contract's JSON, contracts/REPORTS.md) on a server. The stored report
// is printed on stdout.
func runReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const cmd = "truce report"
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, "usage: truce report add --server URL --token TOKEN FILE.json (- for stdin)")
			return 0
		}
		return fail(stderr, cmd, usageError("usage: truce report add --server URL --token TOKEN FILE.json"))
	}
	fs := newFlagSet("report add", "truce report add --server URL --token TOKEN FILE.json (- for stdin)", stderr)
	server, token := remoteFlags(fs)
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if len(pos) != 1 {
		return fail(stderr, cmd, usageError("give one report file (- for stdin)"))
	}
	c, err := remoteClient(*server, *token)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	body, err := readReportFile(pos[0], stdin)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	r, created, err := c.CreateReportJSON(ctx, body)
	if err != nil {
		return fail(stderr, cmd, fmt.Errorf("%s: %w", pos[0], err))
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fail(stderr, cmd, err)
	}
	fmt.Fprintf(stdout, "%s\n", out)
	if created {
		fmt.Fprintf(stderr, "report %d filed\n", r.ID)
	} else {
		fmt.Fprintf(stderr, "already filed as report %d (same external_id)\n", r.ID)
	}
	return 0
}

// readReportFile reads a report file, at most the API's 1 MiB.
func readReportFile(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, truce.Invalid("file", "%v", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxReportFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxReportFile {
		return nil, truce.Invalid("file", "%s is larger than 1 MiB", name)
	}
	return b, nil
}

// runIncidents implements `truce incidents`: list a server's incidents,
// filtered, as a table or as JSON lines.
func runIncidents(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const cmd = "truce incidents"
	fs := newFlagSet("incidents", "truce incidents --server URL [--token TOKEN] [filters]", stderr)
	server, token := remoteFlags(fs)
	status := fs.String("status", "", "alleged, corroborated, verified, disputed or rejected (the public sees verified only)")
	from := fs.String("from", "", "incidents that end after this RFC 3339 instant")
	to := fs.String("to", "", "incidents that start before this RFC 3339 instant")
	bbox := fs.String("bbox", "", "west,south,east,north in degrees")
	party := fs.String("party", "", "a party code: incidents accusing it")
	agreement := fs.String("agreement", "", "an agreement id: incidents judged a violation of it or uncertain")
	limit := fs.Int("limit", 100, "list at most this many (0: all)")
	asJSON := fs.Bool("json", false, "one JSON incident per line instead of a table")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	if len(pos) > 0 {
		return fail(stderr, cmd, usageError("unexpected argument "+pos[0]))
	}
	c, err := remoteClient(*server, *token)
	if err != nil {
		return fail(stderr, cmd, err)
	}
	q := client.IncidentQuery{Status: truce.IncidentStatus(*status), Party: *party, Agreement: *agreement}
	for _, t := range []struct {
		name, v string
		dst     *time.Time
	}{{"from", *from, &q.From}, {"to", *to, &q.To}} {
		if t.v == "" {
			continue
		}
		if *t.dst, err = time.Parse(time.RFC3339, t.v); err != nil {
			return fail(stderr, cmd, truce.Invalid(t.name, "%q is not an RFC 3339 instant", t.v))
		}
	}
	if *bbox != "" {
		var b [4]float64
		parts := strings.Split(*bbox, ",")
		if len(parts) != 4 {
			return fail(stderr, cmd, truce.Invalid("bbox", "%q is not west,south,east,north", *bbox))
		}
		for i, p := range parts {
			if b[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil {
				return fail(stderr, cmd, truce.Invalid("bbox", "%q is not west,south,east,north", *bbox))
			}
		}
		q.BBox = &b
	}
	if *limit < 0 {
		return fail(stderr, cmd, truce.Invalid("limit", "must be 0 or more"))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "ID\tSTATUS\tFROM (UTC)\tADMIN1\tACCUSED\tREPORTS\tTITLE")
	}
	enc := json.NewEncoder(stdout)
	n := 0
	for {
		q.Limit = 1000
		if *limit > 0 {
			q.Limit = min(1000, *limit-n)
		}
		incs, next, err := c.Incidents(ctx, q)
		if err != nil {
			tw.Flush()
			return fail(stderr, cmd, err)
		}
		for _, inc := range incs {
			if *asJSON {
				enc.Encode(inc)
				continue
			}
			title := inc.Title
			if len(title) > 60 {
				title = title[:57] + "..."
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", inc.ID, inc.Status, inc.From.UTC().Format("2006-01-02 15:04"),
				inc.Admin1, strings.Join(inc.Perpetrators, ";"), len(inc.ReportIDs), title)
		}
		n += len(incs)
		if next == "" || (*limit > 0 && n >= *limit) {
			break
		}
		q.Cursor = next
	}
	tw.Flush()
	return 0
}
