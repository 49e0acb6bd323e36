package feed_test

import (
	"testing"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// TestSeesName is the rule in a table: staff read every name, a liaison
// its own party's people's only, the public none; the store's own names
// are no one's and read by all.
func TestSeesName(t *testing.T) {
	ua, ru := feed.Liaison("UA"), feed.Liaison("RU")
	for _, tt := range []struct {
		name  string
		aud   feed.Audience
		party string // the person acts for: "" is the mission's staff
		sees  bool
	}{
		{"staff, a monitor", feed.Staff, "", true},
		{"staff, a UA liaison", feed.Staff, "UA", true},
		{"UA liaison, a UA liaison", ua, "UA", true},
		{"UA liaison, a RU liaison", ua, "RU", false},
		{"UA liaison, a monitor", ua, "", false},
		{"RU liaison, a RU liaison", ru, "RU", true},
		{"liaison of no party, a monitor", feed.Liaison(""), "", false},
		{"public, a monitor", feed.Public, "", false},
		{"public, a UA liaison", feed.Public, "UA", false},
	} {
		if got := tt.aud.SeesName(tt.party); got != tt.sees {
			t.Errorf("%s: SeesName = %v, want %v", tt.name, got, tt.sees)
		}
	}
	for _, aud := range []feed.Audience{feed.Public, ua} {
		if got := aud.StaffName("monitor-anna"); got != "" {
			t.Errorf("%+v reads a monitor's name %q", aud, got)
		}
		if got := aud.StaffName(incident.SystemUser); got != incident.SystemUser {
			t.Errorf("%+v reads the store's own name as %q", aud, got)
		}
	}
}

// TestRedactIncident: a liaison reads its own party's replier and no
// monitor; the detail it was given is not changed (it may be shared).
func TestRedactIncident(t *testing.T) {
	d := store.IncidentDetail{
		History: []truce.Transition{{By: "monitor-anna"}, {By: incident.SystemUser}},
		Replies: []truce.Reply{{Party: "RU", By: "liaison-ru"}, {Party: "UA", By: "liaison-ua"}},
	}
	got := d
	feed.Liaison("RU").RedactIncident(&got)
	if got.History[0].By != "" || got.History[1].By != incident.SystemUser || got.Replies[0].By != "liaison-ru" || got.Replies[1].By != "" {
		t.Errorf("RU liaison reads %+v %+v", got.History, got.Replies)
	}
	if d.History[0].By != "monitor-anna" || d.Replies[1].By != "liaison-ua" {
		t.Errorf("RedactIncident changed the detail it was given: %+v %+v", d.History, d.Replies)
	}
	staff := d
	feed.Staff.RedactIncident(&staff)
	if staff.History[0].By != "monitor-anna" || staff.Replies[1].By != "liaison-ua" {
		t.Errorf("staff reads %+v %+v", staff.History, staff.Replies)
	}
}
