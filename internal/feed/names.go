package feed

import (
	"slices"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/compliance"
	"github.com/truce-monitor/truce/internal/incident"
	"github.com/truce-monitor/truce/internal/store"
)

// Who is named to whom. Party liaisons are the parties' own officers: a
// monitor's or another party's liaison's account name in their hands can
// point at a person in a conflict zone. So one rule covers every name a
// record carries: staff (admin, monitor, analyst) read every name; a
// liaison reads the names of its own party's people only; the public reads
// no person's name. Mission staff act for no party, so a liaison never
// reads a monitor's or an admin's name. A name withheld is left empty;
// the record still says what was done (the step, the reply, the party).

// SeesName says whether the audience may read the name of a person who
// acts for party: "" for the mission's staff (monitors, admins), a party
// code for a party's liaison.
func (a Audience) SeesName(party string) bool {
	if !a.liaison {
		return a.signedIn
	}
	return party != "" && party == a.party
}

// StaffName returns the name of a member of the mission's staff (a
// monitor, an admin) as the audience may read it: the name for staff,
// "" for liaisons and the public. The store's own name for what it does
// by itself (incident.SystemUser, compliance.AlertSystemUser) is no
// person and is always shown.
func (a Audience) StaffName(name string) string {
	if name == incident.SystemUser || name == compliance.AlertSystemUser || a.SeesName("") {
		return name
	}
	return ""
}

// RedactTransition removes the name of the monitor who took an incident
// through a step (by) unless the audience is staff.
func (a Audience) RedactTransition(t *truce.Transition) {
	t.By = a.StaffName(t.By)
}

// RedactReply removes the name of the liaison who wrote a reply (by)
// unless the audience is staff or a liaison of the replying party.
func (a Audience) RedactReply(r *truce.Reply) {
	if !a.SeesName(r.Party) {
		r.By = ""
	}
}

// RedactStatusChange removes the name of the admin who changed an
// agreement's status (by) unless the audience is staff, and with it the
// salt of the commitment to the name (by_salt), which would give the name
// away to anyone who tries the likely names. The commitment itself
// (by_commitment) stays: it is in the public log.
func (a Audience) RedactStatusChange(c *truce.StatusChange) {
	if a.StaffName(c.By) != c.By {
		c.By, c.BySalt = "", ""
	}
}

// RedactIncident removes from an incident's detail the names the
// audience may not read: of the monitors in its history and of the
// liaisons who replied. It copies the slices it changes, so that d may
// share them with a cache.
func (a Audience) RedactIncident(d *store.IncidentDetail) {
	if a == Staff {
		return
	}
	d.History = slices.Clone(d.History)
	for i := range d.History {
		a.RedactTransition(&d.History[i])
	}
	d.Replies = slices.Clone(d.Replies)
	for i := range d.Replies {
		a.RedactReply(&d.Replies[i])
	}
}

// RedactAlert removes the names of the monitors who acknowledged an alert
// (by, on the alert and its later steps) unless the audience is staff.
func (a Audience) RedactAlert(v *store.AlertView) {
	if a == Staff {
		return
	}
	v.By = a.StaffName(v.By)
	v.Steps = slices.Clone(v.Steps)
	for i := range v.Steps {
		v.Steps[i].By = a.StaffName(v.Steps[i].By)
	}
}
