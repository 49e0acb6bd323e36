package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/client"
	"github.com/truce-monitor/truce/internal/feed/feedtest"
)

// TestStream replays the log to the public, then receives a live event,
// and stops when the callback says so.
func TestStream(t *testing.T) {
	url, db, m, tokens := server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	var last client.Event
	done := errors.New("done")
	moved := false
	err = mustClient(t, url, "").Stream(ctx, -1, nil, func(e client.Event) error {
		kinds = append(kinds, e.Kind)
		last = e
		if e.Kind == "finding" && !moved {
			moved = true
			feedtest.Move(t, db, m.Reports[0], truce.IncidentDisputed)
		}
		if e.ID >= size {
			return done
		}
		return nil
	})
	if err != done {
		t.Fatalf("Stream: %v", err)
	}
	want := []string{"agreement", "agreement_status", "agreement", "agreement_status", "agreement", "agreement_status", "transition", "finding", "transition"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	var p struct {
		Index  int64
		Record truce.Transition
	}
	if err := json.Unmarshal(last.Data, &p); err != nil || p.Index != size || p.Record.To != truce.IncidentDisputed {
		t.Errorf("last event %+v %s: %v", last, last.Data, err)
	}

	// Staff, filtered by kind, from the start.
	var reports int
	err = mustClient(t, url, tokens[truce.RoleAnalyst]).Stream(ctx, -1, []string{"report"}, func(e client.Event) error {
		reports++
		if reports == 3 {
			return done
		}
		return nil
	})
	if err != done || reports != 3 {
		t.Errorf("staff reports: %d, %v", reports, err)
	}
	// An error answer ends the stream with the server's error.
	err = mustClient(t, url, "").Stream(ctx, -1, []string{"gossip"}, func(client.Event) error { return nil })
	if e, ok := err.(*truce.Error); !ok || e.Field != "kinds" {
		t.Errorf("bad kind: %#v", err)
	}
}
