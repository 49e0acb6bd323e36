package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/truce-monitor/truce"
)

// maxResponse bounds what the client reads from a server it need not trust.
const maxResponse = 64 << 20

// Client reads a Truce server's public log API. It implements Source for
// Verify over the network: LogSize is the size of the latest signed
// checkpoint (all a remote verifier can vouch for), and ReadHashes,
// Reencode and SaveCheckpoint return errors.ErrUnsupported, since a server's
// tables and stored hashes are not served.
//
// The public is served the data of public leaves only and the leaf hash of
// the rest (Entry.Withheld); a client WithToken of a signed-in user reads
// every leaf's data.
type Client struct {
	base  string
	http  *http.Client
	token string
}

// WithToken returns a copy of c that sends token as its bearer token.
func (c *Client) WithToken(token string) *Client {
	cc := *c
	cc.token = token
	return &cc
}

// NewClient returns a client for the server at baseURL (its root, or the
// log API's /api/v1/log). A nil hc uses http.DefaultClient.
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, truce.Invalid("server", "%q is not an http(s) URL", baseURL)
	}
	base := strings.TrimRight(u.String(), "/")
	if !strings.HasSuffix(base, "/api/v1/log") {
		base += "/api/v1/log"
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: base, http: hc}, nil
}

// get fetches path and decodes its JSON into v, or, for a text v (*string),
// returns the body as is. Error responses become *truce.Error.
func (c *Client) get(ctx context.Context, path string, q url.Values, v any) error {
	u := c.base + "/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxResponse {
		return fmt.Errorf("GET %s: response larger than %d bytes", u, maxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorJSON
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return fmt.Errorf("GET %s: %w", u, &truce.Error{Code: e.Code, Message: e.Message, Field: e.Field})
		}
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	if s, ok := v.(*string); ok {
		*s = string(body)
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: bad response: %w", u, err)
	}
	return nil
}

// Key returns the server's verifier key text.
func (c *Client) Key(ctx context.Context) (string, error) {
	var s string
	if err := c.get(ctx, "key", nil, &s); err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// LatestCheckpoint returns the server's latest checkpoint, unverified: the
// caller opens Note with the key it trusts.
func (c *Client) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	var cj checkpointJSON
	if err := c.get(ctx, "checkpoint", nil, &cj); err != nil {
		return Checkpoint{}, err
	}
	return Checkpoint{Size: cj.Size, Root: cj.Root, Note: []byte(cj.Note), At: cj.At}, nil
}

// Checkpoints returns every checkpoint the server kept, oldest first.
func (c *Client) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	var all []Checkpoint
	for offset := 0; ; {
		var page checkpointsJSON
		if err := c.get(ctx, "checkpoints", url.Values{"offset": {strconv.Itoa(offset)}}, &page); err != nil {
			return nil, err
		}
		for _, cj := range page.Checkpoints {
			all = append(all, Checkpoint{Size: cj.Size, Root: cj.Root, Note: []byte(cj.Note), At: cj.At})
		}
		if page.Next <= offset {
			return all, nil
		}
		offset = page.Next
	}
}

// LogSize returns the size of the latest checkpoint; 0 if there is none.
func (c *Client) LogSize(ctx context.Context) (int64, error) {
	cp, err := c.LatestCheckpoint(ctx)
	if truce.ErrorCode(err) == truce.ENOTFOUND {
		return 0, nil
	}
	return cp.Size, err
}

// LogEntries returns entries [start, end), fetched a page at a time.
func (c *Client) LogEntries(ctx context.Context, start, end int64) ([]Entry, error) {
	var out []Entry
	for start < end {
		var page entriesJSON
		q := url.Values{"start": {strconv.FormatInt(start, 10)}, "end": {strconv.FormatInt(end, 10)}}
		if err := c.get(ctx, "entries", q, &page); err != nil {
			return nil, err
		}
		for _, e := range page.Entries {
			if e.Withheld {
				out = append(out, Entry{Index: e.Index, Kind: e.Kind, At: e.At, Withheld: true, LeafHash: e.Hash})
				continue
			}
			out = append(out, Entry{Index: e.Index, Kind: e.Kind, RecordID: e.RecordID, At: e.At, Data: e.Data})
		}
		if page.End <= start {
			break // the server has no more
		}
		start = page.End
	}
	return out, nil
}

// InclusionProof fetches the proof that entry index is in the tree of size.
func (c *Client) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	var p inclusionJSON
	q := url.Values{"index": {strconv.FormatInt(index, 10)}, "size": {strconv.FormatInt(size, 10)}}
	if err := c.get(ctx, "proof/inclusion", q, &p); err != nil {
		return nil, err
	}
	return p.Hashes, nil
}

// ConsistencyProof fetches the proof that tree from is a prefix of tree to.
func (c *Client) ConsistencyProof(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	var p consistencyJSON
	q := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	if err := c.get(ctx, "proof/consistency", q, &p); err != nil {
		return nil, err
	}
	return p.Hashes, nil
}

// ReadHashes is not served: errors.ErrUnsupported.
func (c *Client) ReadHashes(context.Context, []int64) ([]tlog.Hash, error) {
	return nil, errors.ErrUnsupported
}

// Reencode cannot re-read a server's tables: errors.ErrUnsupported.
func (c *Client) Reencode(context.Context, Entry) ([]byte, error) {
	return nil, errors.ErrUnsupported
}

// SaveCheckpoint is not a client's to do: errors.ErrUnsupported.
func (c *Client) SaveCheckpoint(context.Context, int64, tlog.Hash, []byte) error {
	return errors.ErrUnsupported
}

var _ Source = (*Client)(nil)
